"""Which documented behaviour a target follows, where the sources allow more than one.

When two sources disagree and neither is clearly the newer truth, a check accepts each documented
behaviour (the errata say which) and reports the one the target took: an Allure label
``follows`` per source, and an attachment listing them. Recording only: it never decides a verdict.
"""

import allure


def report_followed(*sources: str) -> None:
    """Label the check with each source whose behaviour the target followed."""
    for source in sources:
        allure.dynamic.label("follows", source)
    if sources:
        text = "\n".join(f"follows: {source}" for source in sources)
        allure.attach(text, "documented behaviour the target follows", allure.attachment_type.TEXT)
