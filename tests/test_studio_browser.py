"""The real Label Studio labelling page in headless Chromium: pre-filled predictions, a human change, pulled back."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pytest
import yaml

from conftest import REPO, make_subset

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROME_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
)
WINDOW = (1400, 2000)
LOGIN_TIMEOUT_S = 30
EDITOR_TIMEOUT_S = 120  # the editor bundle and the task load in ~10 s idle; a busy CI machine needs more
PREFILL_TIMEOUT_S = 10
CLICK_TIMEOUT_S = 10
SUBMIT_TIMEOUT_S = 30
CHANGED_PARAGRAPH = 0
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ARTIFACT = REPO / "tests" / "artifacts" / "labelling-page.png"
# One Choices block per paragraph inside the annotation area (the top bar has radios of its own).
CHOICE_GROUP = ".lsf-main-view__annotation .lsf-choices"
# Every paragraph's radios share the names body/teaser/boilerplate, so the browser keeps at most one
# native :checked per name on the whole page; Label Studio's own state is the antd "checked" class.
CHECKED_CHOICES_JS = """
return Array.from(document.querySelectorAll(arguments[0])).map(group => {
    const checked = group.querySelectorAll('label.ant-radio-wrapper-checked input');
    return checked.length === 1 ? checked[0].name : null;
});
"""


@pytest.fixture
def browser(tmp_path):
    """Headless Debian Chromium through the system chromedriver, so selenium-manager never downloads."""
    from selenium import webdriver

    for path, what in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromedriver")):
        if not path.is_file():
            pytest.fail(f"{what} not found at {path}; `make test` installs it")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={WINDOW[0]},{WINDOW[1]}")
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


def write_params(tmp_path: Path, model: Path) -> Path:
    """The repo's params.yaml with the studio paths moved into tmp and the small model for predictions."""
    params = yaml.safe_load((REPO / "params.yaml").read_text(encoding="utf-8"))
    params["studio"].update(
        label_config=str(REPO / "labeling" / "label_config.xml"),
        guidelines=str(REPO / "labeling" / "GUIDELINES.md"),
        annotations=str(tmp_path / "annotations"),
        agreement=str(tmp_path / "agreement.json"),
        segments=str(tmp_path / "none.parquet"),
        model=str(model),
    )
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params), encoding="utf-8")
    return path


def log_in(driver, url: str) -> None:
    """Log in through Label Studio's own login form."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    from scrapeseg.labeling.server import PASSWORD, USERNAME

    driver.get(f"{url}/user/login/")
    driver.find_element(By.ID, "email").send_keys(USERNAME)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, LOGIN_TIMEOUT_S).until(
        lambda d: "/user/login" not in d.current_url, message=f"still on the login page after {LOGIN_TIMEOUT_S} s"
    )


def shown_choices(driver) -> list[str | None]:
    """Per paragraph group on the page, the choice shown as selected (None if none or several)."""
    return driver.execute_script(CHECKED_CHOICES_JS, CHOICE_GROUP)


def predicted_labels(task) -> list[str]:
    """The task's prediction as one label per paragraph, in paragraph order."""
    assert len(task.predictions) == 1, f"task {task.id} has {len(task.predictions)} predictions, expected the pushed one"
    by_index = {int(item["from_name"].removeprefix("label_")): item["value"]["choices"][0] for item in task.predictions[0].result}
    return [by_index[i] for i in range(len(by_index))]


@pytest.mark.slow
def test_labelling_page_prefills_predictions_and_submits_a_change(corpora, small_model, studio_env, browser, tmp_path):
    """A pushed page shows every predicted choice; one changed radio and Submit come back through pull."""
    from label_studio_sdk import LabelStudio
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    from scrapeseg.labeling.server import TOKEN, USERNAME

    from scrapeseg.cli import main
    from scrapeseg.labeling.sync import project_slug
    from scrapeseg.labels import Label

    params = write_params(tmp_path, small_model)
    title = f"browser-{uuid.uuid4().hex[:8]}"  # the server lives for the session, so never reuse a project
    folder = make_subset(corpora, "l3s-gn1", tmp_path / "pages", 1)
    # The subset folder also holds the gold text, which push would import as a second document.
    [page] = sorted(folder.glob("*.html.gz"))
    assert main(["studio", "push", "--project", title, "--no-progress", "--params", str(params), str(page)]) == 0

    client = LabelStudio(base_url=studio_env.url, api_key=TOKEN)
    [project] = [p for p in client.projects.list(title=title) if p.title == title]
    [task] = list(client.tasks.list(project=project.id))
    predicted = predicted_labels(task)
    assert len(predicted) == len(task.data["paragraphs"]) > CHANGED_PARAGRAPH

    log_in(browser, studio_env.url)
    browser.get(f"{studio_env.url}/projects/{project.id}/data?task={task.id}")
    try:
        WebDriverWait(browser, EDITOR_TIMEOUT_S).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, CHOICE_GROUP)) == len(predicted))
    except TimeoutException:
        pytest.fail(f"the editor did not show {len(predicted)} choice groups within {EDITOR_TIMEOUT_S} s; "
                    f"it shows {len(browser.find_elements(By.CSS_SELECTOR, CHOICE_GROUP))}")
    try:
        # The groups render before the prediction is copied into the new annotation.
        WebDriverWait(browser, PREFILL_TIMEOUT_S).until(lambda d: shown_choices(d) == predicted)
    except TimeoutException:
        wrong = [(i, p, s) for i, (p, s) in enumerate(zip(predicted, shown_choices(browser))) if p != s]
        pytest.fail(f"the labelling page does not show the prediction pre-filled; (paragraph, predicted, shown): {wrong[:10]}")

    new_label = next(label for label in Label.names() if label != predicted[CHANGED_PARAGRAPH])
    group = browser.find_elements(By.CSS_SELECTOR, CHOICE_GROUP)[CHANGED_PARAGRAPH]
    # The input itself is hidden behind antd's styled circle; a user clicks the label around it.
    choice = group.find_element(By.XPATH, f".//label[.//input[@name='{new_label}']]")
    # Selenium scrolls a target only to the bottom edge, under Label Studio's bottom bar, which takes the click.
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", choice)
    choice.click()
    expected = predicted[:CHANGED_PARAGRAPH] + [new_label] + predicted[CHANGED_PARAGRAPH + 1:]
    WebDriverWait(browser, CLICK_TIMEOUT_S).until(
        lambda d: shown_choices(d) == expected, message=f"paragraph {CHANGED_PARAGRAPH} did not switch to {new_label!r}"
    )

    screenshot = tmp_path / "labelling.png"
    assert browser.save_screenshot(str(screenshot))
    ARTIFACT.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(screenshot, ARTIFACT)
    for path in (screenshot, ARTIFACT):
        data = path.read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > len(PNG_MAGIC), f"{path} is not a non-empty PNG"

    browser.find_element(By.CSS_SELECTOR, "button[data-testid=bottombar-submit-button]").click()
    WebDriverWait(client, SUBMIT_TIMEOUT_S).until(
        lambda c: list(c.annotations.list(id=task.id)), message=f"no annotation on task {task.id} {SUBMIT_TIMEOUT_S} s after Submit"
    )

    assert main(["studio", "pull", "--project", title, "--params", str(params)]) == 0
    lines = (tmp_path / "annotations" / f"{project_slug(title)}.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert [row["index"] for row in rows] == list(range(len(predicted)))
    assert [row["label"] for row in rows] == expected
    assert {(row["doc"], row["annotator"]) for row in rows} == {(task.data["doc"], USERNAME)}
