"""``regverify serve``: the answer key as a practice page an instructor can host for a class.

* ``app``: the Starlette application (the page, the JSON API, the rendered reports);
* ``pool``: grading in a pool of worker processes, each bounded in time, replaced when it dies
  or hangs, so that one answer never holds up the others or takes the server down;
* ``worker``: what one worker does with one request (reads, grades, checks steps, applies the
  feedback level); only the grader is loaded, never SymPy's prover or autograd;
* ``reports``: the derivations' reports (Markdown) as HTML with their mathematics in MathML;
* ``server``: the command line's entry point (uvicorn on a socket bound before it starts).
"""
