"""The practice page in a real headless Chromium (Debian's chromium and chromium-driver, driven by
Selenium): a student types, sees the preview typeset, grades and checks steps, with a mouse, with
the keyboard alone, and on a phone-width screen. In CI a missing browser is a failure.

    python tests/test_serve_browser.py docs/serve.png      # the README's screenshot
"""
import os
import shutil
import signal
import sys
import tempfile

import pytest

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--force-device-scale-factor=1", "--lang=en-US"]
WAIT = 20    # seconds for the page to answer (a busy shared machine)

pytestmark = pytest.mark.slow


def browser_or_fail():
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not shutil.which(path)]
    if missing:
        message = (f"Expected a browser at {' and '.join(missing)} but found none: "
                   "apt-get install chromium chromium-driver (.ci/run does)")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def new_driver(profile: str, width: int = 1100, height: int = 900):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={profile}", f"--window-size={width},{height}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(width, height)
    return driver


@pytest.fixture(scope="module")
def server():
    from .serving import start_server
    process, url = start_server("--workers", "2", "--reports")   # the report link is tested too
    yield url
    process.send_signal(signal.SIGINT)
    process.wait(timeout=20)


@pytest.fixture
def driver(tmp_path):
    browser_or_fail()
    chrome = new_driver(str(tmp_path / "profile"))
    yield chrome
    chrome.quit()


def wait_for(driver, condition, what: str):
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(driver, WAIT).until(lambda d: condition(d), message=f"Expected {what}")


def open_page(driver, url: str, fragment: str = ""):
    driver.get(url + fragment)
    wait_for(driver, lambda d: d.execute_script("return document.body.dataset.ready === 'yes'"), "the questions to load")


def question(driver, qid: str):
    from selenium.webdriver.common.by import By
    return driver.find_element(By.ID, f"q-{qid}")


def open_question(driver, qid: str):
    from selenium.webdriver.common.by import By
    details = question(driver, qid)
    details.find_element(By.TAG_NAME, "summary").click()
    wait_for(driver, lambda d: details.find_elements(By.CSS_SELECTOR, "input.answer"), f"the form of {qid}")
    return details


def typeset(driver, container, reading: str):
    """The preview shows the reading, typeset as a MathML element the browser lays out."""
    from selenium.webdriver.common.by import By

    def shown(d):
        preview = container.find_element(By.CSS_SELECTOR, ".preview")
        maths = preview.find_elements(By.TAG_NAME, "math")
        code = preview.find_element(By.CSS_SELECTOR, ".reading").text
        return maths and code == reading and maths[0].size["width"] > 0 and maths[0]
    return wait_for(driver, shown, f"the preview to read {reading!r} as MathML")


def result_of(driver, container, selector=".result"):
    from selenium.webdriver.common.by import By
    wait_for(driver, lambda d: container.find_elements(By.CSS_SELECTOR, f"{selector} .verdict"),
             "a verdict")
    text = container.find_element(By.CSS_SELECTOR, selector).text
    assert "null" not in text and "undefined" not in text, text   # an absent part shown as a word
    return text


def answer(driver, details, text: str, fmt: str = "text"):
    from selenium.webdriver.common.by import By
    details.find_element(By.CSS_SELECTOR, f"input[type=radio][value={fmt}]").click()
    box = details.find_element(By.CSS_SELECTOR, "input.answer")
    box.clear()
    box.send_keys(text)
    return box


def grade_with(driver, details, text: str, reading: str, fmt: str = "text") -> str:
    from selenium.webdriver.common.by import By
    answer(driver, details, text, fmt)
    typeset(driver, details, reading)
    previous = details.find_elements(By.CSS_SELECTOR, ".result .verdict")
    details.find_element(By.CSS_SELECTOR, "button.grade").click()
    wait_for(driver, lambda d: details.find_elements(By.CSS_SELECTOR, ".result .verdict")
             and (not previous or details.find_elements(By.CSS_SELECTOR, ".result .verdict")[0] != previous[0]),
             "a new verdict")
    return result_of(driver, details)


def test_a_student_grades_text_and_latex_answers_with_a_rendered_preview(server, driver):
    from regverify.grading.bank import load_bank
    key = load_bank()["l2-grad"].key
    open_page(driver, server)
    details = open_question(driver, "l2-grad")
    assert "Correct" in grade_with(driver, details, "g + alpha*w", "g + alpha * w")
    wrong = grade_with(driver, details, "g + 2*alpha*w", "g + 2 * alpha * w")
    assert "Incorrect" in wrong and "factor" in wrong
    assert "Correct" in grade_with(driver, details, r"g + \alpha w", "g + alpha * w", "latex")
    flipped = grade_with(driver, details, r"g - \alpha \cdot w", "g - alpha * w", "latex")
    assert "Incorrect" in flipped and "term" in flipped
    assert key not in driver.page_source and "cancels the 2" not in driver.page_source


def test_a_step_check_marks_each_line_and_the_first_broken_one(server, driver):
    from selenium.webdriver.common.by import By
    open_page(driver, server, "#q-l2-grad")
    details = question(driver, "l2-grad")
    wait_for(driver, lambda d: details.find_elements(By.CSS_SELECTOR, "details.steps"), "the question opened by its link")
    details.find_element(By.CSS_SELECTOR, "details.steps > summary").click()
    lines = details.find_element(By.CSS_SELECTOR, "textarea.lines")
    lines.send_keys("g + alpha/2 * 2*w\ng + alpha*w\ng + alpha")
    details.find_element(By.CSS_SELECTOR, "button.check-steps").click()
    text = result_of(driver, details, ".steps-result")
    rows = details.find_elements(By.CSS_SELECTOR, ".steps-table tr.step")
    assert [r.get_attribute("class").split("step-")[1] for r in rows] == ["start", "equivalent", "not-equivalent"]
    assert all(r.find_elements(By.TAG_NAME, "math") for r in rows)
    assert "First broken step: 3" in text and "Last line equals the key: no" in text


def test_the_keyboard_alone_opens_a_question_grades_and_checks_steps(server, driver):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from regverify.grading.bank import load_bank
    first = next(iter(load_bank().values()))
    open_page(driver, server)
    active = lambda: driver.switch_to.active_element   # noqa: E731

    def tab_to(test, what: str, limit: int = 40):
        for _ in range(limit):
            active().send_keys(Keys.TAB)
            if test(active()):
                return active()
        raise AssertionError(f"Expected to reach {what} with Tab within {limit} presses")

    tab_to(lambda e: e.tag_name == "summary" and e.find_element(By.XPATH, "..").get_attribute("id") == f"q-{first.id}",
           f"the question {first.id}")
    active().send_keys(Keys.ENTER)
    box = tab_to(lambda e: "answer" in (e.get_attribute("class") or ""), "the answer box")
    box.send_keys(first.key)
    details = question(driver, first.id)
    wait_for(driver, lambda d: details.find_elements(By.CSS_SELECTOR, ".preview math"), "a typeset preview")
    box.send_keys(Keys.ENTER)
    assert "Correct" in result_of(driver, details)
    tab_to(lambda e: e.tag_name == "summary" and "Step by step" in e.text, "the step-by-step mode")
    active().send_keys(Keys.ENTER)
    lines = tab_to(lambda e: e.tag_name == "textarea", "the lines")
    lines.send_keys(first.key, Keys.ENTER, first.key)
    lines.send_keys(Keys.CONTROL, Keys.ENTER)
    text = result_of(driver, details, ".steps-result")
    assert "Last line equals the key: yes" in text


def test_the_page_fits_a_phone_width_screen(server, tmp_path):
    from selenium.webdriver.common.by import By
    browser_or_fail()
    phone = new_driver(str(tmp_path / "profile"), 390, 844)
    try:
        open_page(phone, server)
        width = phone.execute_script("return window.innerWidth")
        assert width <= 400
        details = open_question(phone, "l2-shrinkage")
        result = grade_with(phone, details, r"(H + \alpha I)^{-1} w^*", "inv(H + alpha * I) @ w_star", "latex")
        assert "Incorrect" in result
        box = details.find_element(By.CSS_SELECTOR, "input.answer")
        assert 0 < box.size["width"] <= width and box.location["x"] >= 0
        overflow = phone.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"Expected no sideways scrolling but got {overflow} px too wide"
    finally:
        phone.quit()


def test_a_report_link_shows_the_report_with_its_mathematics_and_figures(server, driver):
    from selenium.webdriver.common.by import By
    open_page(driver, server)
    driver.find_element(By.CSS_SELECTOR, 'a.report-link[href="/reports/l2-shrinkage"]').click()
    wait_for(driver, lambda d: d.find_elements(By.TAG_NAME, "h1"), "the report")
    assert "eigenvectors of H" in driver.find_element(By.TAG_NAME, "h1").text
    assert driver.find_elements(By.TAG_NAME, "math")
    images = driver.find_elements(By.TAG_NAME, "img")
    assert images and all(driver.execute_script("return arguments[0].naturalWidth", img) > 0 for img in images)


def test_at_hint_a_missing_term_is_named_by_kind_and_the_page_shows_nothing_of_the_key(server, driver):
    """Answering g for g + αw: the page says a term is missing and where, and its whole source
    holds neither the key, nor the missing term αw, nor the key's value at the point shown."""
    from selenium.webdriver.common.by import By
    from regverify.grading.bank import load_bank
    from regverify.grading.grader import grade
    q = load_bank()["l2-grad"]
    example = grade(q, "g").counterexample
    key_values = [v for v in example["key"]] + [e["key"] for e in example["entries_that_differ"]]
    open_page(driver, server)
    details = open_question(driver, "l2-grad")
    result = grade_with(driver, details, "g", "g")
    assert "Incorrect" in result and "term is missing" in result
    shown = details.find_element(By.CSS_SELECTOR, ".result").get_attribute("innerHTML")
    for leak in [q.key, "alpha * w", "alpha*w", "α w", "αw", "<mi>α</mi>", "<mi>w</mi>"]:
        assert leak not in shown, f"Expected nothing of the key at hint but the result shows {leak!r}"
    for value in key_values:
        for digits in (f"{abs(value):.3g}", f"{abs(value):.4g}", repr(abs(value))):
            assert digits not in driver.page_source, f"Expected no key value at hint but got {digits!r}"
    assert q.key not in driver.page_source


def screenshot(path: str) -> None:
    """The page with one question graded at hint, as the README shows it."""
    from .serving import start_server
    process, url = start_server("--workers", "2")
    try:
        with tempfile.TemporaryDirectory() as profile:
            chrome = new_driver(profile, 1000, 1150)
            try:
                open_page(chrome, url, "#q-l2-shrinkage")
                details = question(chrome, "l2-shrinkage")
                wait_for(chrome, lambda d: details.find_elements("css selector", "input.answer"), "the form")
                grade_with(chrome, details, r"(H + \alpha I)^{-1} w^*", "inv(H + alpha * I) @ w_star", "latex")
                chrome.execute_script("document.getElementById('d-l2-shrinkage').scrollIntoView()")
                chrome.save_screenshot(path)
            finally:
                chrome.quit()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from tests.test_serve_browser import screenshot as take
    take(sys.argv[1] if len(sys.argv) > 1 else "docs/serve.png")
