// The practice page: questions from /api/questions, a preview of the reading while typing,
// grading and step checks through the JSON API. The only markup taken from the server is its
// MathML, imported through an XML parser and kept only if every element is MathML.
"use strict";

const MATHML = "http://www.w3.org/1998/Math/MathML";
const VERDICT_TEXT = { correct: "Correct", incorrect: "Incorrect", invalid: "Cannot be graded",
                       start: "start", equivalent: "equivalent", "not-equivalent": "not equivalent" };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

function math(markup) {
  if (!markup) return null;
  const doc = new DOMParser().parseFromString(markup, "application/xml");
  const root = doc.documentElement;
  if (root.namespaceURI !== MATHML || root.localName !== "math") return null;
  for (const node of root.querySelectorAll("*")) if (node.namespaceURI !== MATHML) return null;
  return document.importNode(root, true);
}

async function api(path, body) {
  const response = await fetch(path, body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  if (!response.ok) throw new Error((data && data.error) || `the server answered ${response.status}`);
  return data;
}

function valueText(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function counterexampleTable(example, referenceLabel) {
  if (!example) return null;
  const rows = Object.entries(example.values || {}).map(([name, value]) =>
    el("tr", {}, el("th", { scope: "row", text: name }), el("td", {}, el("code", { text: valueText(value) }))));
  const labels = { your_answer: "your answer", key: "key", previous_line: "previous line" };
  for (const [name, label] of Object.entries(labels)) {
    if (name in example && example[name] !== "…") {
      rows.push(el("tr", {}, el("th", { scope: "row", text: label }),
                   el("td", {}, el("code", { text: valueText(example[name]) }))));
    }
  }
  for (const entry of example.entries_that_differ || []) {
    const other = "previous_line" in entry ? ` · previous line ${entry.previous_line}` :
                  "key" in entry ? ` · key ${entry.key}` : "";
    rows.push(el("tr", {}, el("th", { scope: "row", text: `entry (${entry.index.join(", ")})` }),
                 el("td", { text: `yours ${entry.yours}${other}` })));
  }
  return el("div", { class: "table-wrap" },
            el("table", { class: "counterexample" }, el("caption", { text: referenceLabel }), ...rows));
}

function readingLine(label, mathml, text) {
  if (!text) return null;
  return el("p", { class: "reading-line" }, el("span", { class: "label", text: label }),
            math(mathml), el("code", { class: "reading", text }));
}

function showGrade(target, result) {
  // replaceChildren writes a null child as the text "null": the absent parts are left out
  target.replaceChildren(...[
    el("p", { class: `verdict verdict-${result.verdict}`, text: VERDICT_TEXT[result.verdict] || result.verdict }),
    readingLine("Read as:", result.read_as_mathml, result.read_as),
    result.verdict === "correct" ? null : el("p", { class: "feedback", text: result.feedback }),
    counterexampleTable(result.counterexample, "Where it differs")].filter(Boolean));
}

function showSteps(target, report) {
  if (report.invalid) {
    target.replaceChildren(el("p", { class: "verdict verdict-invalid", text: "Cannot be checked" }),
                           el("p", { class: "feedback", text: report.invalid }));
    return;
  }
  const rows = report.steps.map((step) => el("tr", { class: `step step-${step.verdict}` },
    el("td", { text: String(step.number) }),
    el("td", {}, math(step.read_as_mathml), el("code", { class: "reading", text: step.read_as || step.text })),
    el("td", { class: `verdict-${step.verdict}`, text: VERDICT_TEXT[step.verdict] || step.verdict }),
    el("td", { text: step.feedback || "" })));
  const head = el("tr", {}, ...["step", "read as", "verdict", "feedback"].map((h) => el("th", { scope: "col", text: h })));
  const broken = report.steps.find((s) => s.verdict === "not-equivalent" || s.verdict === "invalid");
  const parts = [el("div", { class: "table-wrap" }, el("table", { class: "steps-table" },
                    el("caption", { text: "Each line against the one before" }), head, ...rows))];
  if (broken) {
    parts.push(el("p", { class: "verdict verdict-not-equivalent", text: `First broken step: ${broken.number}` }));
    parts.push(counterexampleTable(broken.counterexample, `Where line ${broken.number} differs`));
  }
  if (report.final) {
    const equal = report.final.verdict === "correct";
    parts.push(el("p", { class: `verdict verdict-${equal ? "correct" : "incorrect"}`,
                         text: `Last line equals the key: ${equal ? "yes" : "no"}` }));
    if (!equal) parts.push(el("p", { class: "feedback", text: report.final.feedback }));
  }
  target.replaceChildren(...parts.filter(Boolean));
}

function symbolsTable(question) {
  const rows = question.symbols.map((s) => el("tr", {},
    el("td", {}, el("code", { text: s.name })), el("td", { text: s.latex }),
    el("td", { text: s.shape }), el("td", { text: s.domain })));
  for (const d of question.derived) {
    rows.push(el("tr", {}, el("td", {}, el("code", { text: d.name })), el("td", { text: "" }),
                 el("td", { text: "derived" }), el("td", {}, el("code", { text: `= ${d.definition}` }))));
  }
  const head = el("tr", {}, ...["name", "LaTeX", "shape", "domain"].map((h) => el("th", { scope: "col", text: h })));
  return el("div", { class: "table-wrap" },
            el("table", { class: "symbols" }, el("caption", { text: "Symbols" }), head, ...rows));
}

function buildQuestion(details, question) {
  const id = question.id;
  const formatName = `format-${id}`;
  const radio = (value, label, checked) => el("label", {},
    el("input", Object.assign({ type: "radio", name: formatName, value }, checked ? { checked: "" } : {})), ` ${label}`);
  const format = el("fieldset", { class: "format" }, el("legend", { text: "Format" }),
                    radio("text", "Plain text", true), radio("latex", "LaTeX", false));
  const answer = el("input", { class: "answer", id: `answer-${id}`, name: "answer", type: "text",
                               autocomplete: "off", autocapitalize: "off", spellcheck: "false",
                               "aria-describedby": `preview-${id}` });
  const preview = el("div", { class: "preview", id: `preview-${id}`, "aria-live": "polite" },
                     el("span", { class: "label", text: "Read as:" }), el("span", { class: "math" }),
                     el("code", { class: "reading" }), el("span", { class: "message" }));
  const result = el("div", { class: "result", role: "status", "aria-live": "polite" });
  const form = el("form", { class: "answer-form" },
                  el("label", { class: "field", for: `answer-${id}`, text: "Your answer" }), answer, preview,
                  el("button", { type: "submit", class: "grade", text: "Grade" }));
  const lines = el("textarea", { class: "lines", id: `steps-${id}`, name: "lines", rows: "5",
                                 spellcheck: "false", autocapitalize: "off" });
  const stepsResult = el("div", { class: "steps-result", role: "status", "aria-live": "polite" });
  const stepsForm = el("form", { class: "steps-form" },
    el("label", { class: "field", for: `steps-${id}`,
                  text: "One expression per line: each line is checked against the one before, the last against the key" }),
    lines, el("button", { type: "submit", class: "check-steps", text: "Check steps" }),
    el("span", { class: "hint-note", text: " or Ctrl+Enter" }));
  const steps = el("details", { class: "steps" }, el("summary", { text: "Step by step" }), stepsForm, stepsResult);
  details.querySelector(".qbody").append(symbolsTable(question), format, form, result, steps);

  const currentFormat = () => format.querySelector("input:checked").value;
  let previewSerial = 0;
  let previewTimer = null;
  async function refreshPreview() {
    const serial = ++previewSerial;
    const [mathSlot, reading, message] = [preview.querySelector(".math"), preview.querySelector(".reading"),
                                          preview.querySelector(".message")];
    if (!answer.value.trim()) {
      mathSlot.replaceChildren(); reading.textContent = ""; message.textContent = "";
      return;
    }
    let data;
    try {
      data = await api("/api/preview", { question: id, answer: answer.value, format: currentFormat() });
    } catch (error) {
      data = { readable: false, message: error.message };
    }
    if (serial !== previewSerial) return;        // a later keystroke has its own preview
    const rendered = data.readable ? math(data.mathml) : null;
    mathSlot.replaceChildren(...(rendered ? [rendered] : []));
    reading.textContent = data.readable ? data.read_as : "";
    const notes = data.readable && data.notes && data.notes.length ? ` (${data.notes.join("; ")})` : "";
    message.textContent = data.readable ? `${notes}${data.message ? ` ${data.message}` : ""}` : data.message;
  }
  const schedule = () => { clearTimeout(previewTimer); previewTimer = setTimeout(refreshPreview, 200); };
  answer.addEventListener("input", schedule);
  format.addEventListener("change", schedule);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    result.replaceChildren(el("p", { text: "Grading…" }));
    try {
      showGrade(result, await api("/api/grade", { question: id, answer: answer.value, format: currentFormat() }));
    } catch (error) {
      result.replaceChildren(el("p", { class: "verdict verdict-invalid", text: error.message }));
    }
  });
  stepsForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    stepsResult.replaceChildren(el("p", { text: "Checking…" }));
    try {
      showSteps(stepsResult, await api("/api/check-steps",
                                       { question: id, lines: lines.value.split("\n"), format: currentFormat() }));
    } catch (error) {
      stepsResult.replaceChildren(el("p", { class: "verdict verdict-invalid", text: error.message }));
    }
  });
  lines.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      stepsForm.requestSubmit();
    }
  });
}

async function main() {
  const main = document.getElementById("questions");
  let catalogue;
  try {
    catalogue = await api("/api/questions");
  } catch (error) {
    main.replaceChildren(el("p", { class: "message", text: `The questions cannot be loaded: ${error.message}` }));
    return;
  }
  document.getElementById("syntax").textContent = catalogue.syntax;
  const levels = { hint: "Feedback: hints (the key is never shown).", full: "Feedback: full (mistakes explained with the key).",
                   verdict: "Feedback: the verdict only." };
  document.getElementById("level").textContent = levels[catalogue.feedback_level] || "";
  const sections = [];
  for (const derivation of catalogue.derivations) {
    const key = derivation.id || "other";
    const heading = el("h2", { id: `d-${key}` }, derivation.title || derivation.id || "Other questions");
    const section = el("section", { class: "derivation", "aria-labelledby": `d-${key}` }, heading);
    if (derivation.report) {
      section.append(el("p", {}, el("a", { href: derivation.report, class: "report-link",
                                           text: `Report on ${derivation.id}: proofs, numeric evidence and figures` })));
    }
    for (const question of catalogue.questions.filter((q) => q.derivation === derivation.id)) {
      const details = el("details", { class: "question", id: `q-${question.id}`, "data-question": question.id },
                         el("summary", {}, el("span", { class: "qid", text: question.id }), question.prompt),
                         el("div", { class: "qbody" }));
      details.addEventListener("toggle", () => {
        if (details.open && !details.dataset.built) {
          details.dataset.built = "yes";
          buildQuestion(details, question);
        }
      });
      section.append(details);
    }
    sections.push(section);
  }
  main.replaceChildren(...sections);
  main.removeAttribute("aria-busy");
  const wanted = location.hash.startsWith("#q-") && document.getElementById(location.hash.slice(1));
  if (wanted) {
    wanted.open = true;
    wanted.scrollIntoView();
  }
  document.body.dataset.ready = "yes";
}

main();
