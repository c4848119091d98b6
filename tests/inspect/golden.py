"""Golden-text helper: compare with tests/inspect/golden/<name>.txt; run the tests with
JANUS_LITE_UPDATE_GOLDEN=1 to rewrite the files after an intended change (then review the
diff)."""
import os

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")


def check_golden(name: str, text: str) -> None:
    path = os.path.join(HERE, name + ".txt")
    if os.environ.get("JANUS_LITE_UPDATE_GOLDEN"):
        os.makedirs(HERE, exist_ok=True)
        with open(path, "w") as fh:
            fh.write(text + "\n")
        return
    with open(path) as fh:
        expected = fh.read()
    assert text + "\n" == expected, f"{name}: text differs from {path}\n--- got ---\n{text}"
