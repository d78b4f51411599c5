"""Lint of the composed letter: what would spoil it in a mail client, errors and warnings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from conftest import CONFIG, item_text
from lettre.compose import compose, open_folder
from lettre.items import Week
from lettre.lint import Finding, lint

JUNE_13 = Week(dt.date(2025, 6, 7), dt.date(2025, 6, 13))
NOW = dt.datetime(2025, 6, 13, 8, 0, tzinfo=dt.UTC)


def findings(folder: Path, week: Week = JUNE_13) -> list[Finding]:
    config = open_folder(folder)
    return lint(compose(config, week, now=NOW), config)


def lines(found: list[Finding]) -> list[str]:
    return [str(f) for f in found]


def test_the_samples_letter_of_13_june_is_clean(samples: Path) -> None:
    assert findings(samples) == []


def test_a_configured_section_without_item_is_a_warning(samples: Path) -> None:
    found = findings(samples, Week(dt.date(2025, 5, 31), dt.date(2025, 6, 6)))
    assert lines(found) == [
        f"{samples}/lettre.toml: warning: section 'Armée de champions' has no item this week: "
        "the letter leaves it out"
    ]


def test_images_without_alt_or_size_and_bad_links(make_folder: Callable[..., Path]) -> None:
    body = (
        "Premier paragraphe.\n"
        "\n"
        "![Une photo](https://lettre.example.org/images/photo.jpg)\n"
        "\n"
        '<img src="https://lettre.example.org/images/sans-alt.png" width="10" height="10">\n'
        "\n"
        '<a href="archives/2024.html">les archives</a>, '
        '<a href="ftp://example.org/fichier">le fichier</a>.\n'
    )
    folder = make_folder(
        {
            "2025-06-10-un-titre.md": item_text(body=body),
            "2025-06-11-image.md": item_text(
                date="2025-06-11",
                title="Avec image",
                image="{src: 'https://lettre.example.org/i.jpg', alt: Une image}",
            ),
        },
        config="allow_html = true\n" + CONFIG,
    )
    item = folder / "items" / "2025-06-10-un-titre.md"
    found = findings(folder)
    assert [f.severity for f in found] == ["error", "error", "error", "warning", "warning"]
    assert lines(found) == [
        f"{item}:10: error: image 'https://lettre.example.org/images/sans-alt.png' has no alt "
        'text: describe it for readers who cannot see it (alt="" for a decorative image)',
        f"{item}:12: error: link 'archives/2024.html' is relative: it leads nowhere in an "
        "e-mail (write the full https:// address, or set base_url in lettre.toml)",
        f"{item}:12: error: link 'ftp://example.org/fichier' is a ftp: link: only http(s) and "
        "mailto links work",
        f"{item}:8: warning: image 'https://lettre.example.org/images/photo.jpg' has no width "
        "and no height in pixels: Outlook shows it at its own size and the text moves as it "
        "loads (give 'image: width' and 'height' in the item)",
        f"{folder}/items/2025-06-11-image.md:5: warning: image "
        "'https://lettre.example.org/i.jpg' "
        "has no height in pixels: Outlook shows it at its own size and the text moves as it "
        "loads (give 'image: width' and 'height' in the item)",
    ]


def test_long_subject_and_no_unsubscribe(make_folder: Callable[..., Path]) -> None:
    title = "Lettre hebdomadaire de communication de la direction régionale du Sud-Ouest"
    config = CONFIG.replace('title = "Lettre de test"', f'title = "{title}"')
    config = config.replace('[unsubscribe]\nurl = "https://lettre.example.org/desabonnement"\n', "")
    folder = make_folder(config=config)
    assert lines(findings(folder)) == [
        f"{folder}/lettre.toml: warning: the subject has 91 characters: mail clients show about "
        f"70 (phones about 40); shorten 'title' in lettre.toml: '{title} du 13 juin 2025'",
        f"{folder}/lettre.toml: warning: no unsubscribe address: Gmail and Yahoo require one of "
        "bulk senders (add [unsubscribe] url and mailto to lettre.toml)",
    ]


def test_the_subject_warning_shows_the_subject_as_written(
    make_folder: Callable[..., Path],
) -> None:
    """No Python escapes ('\\xa0', '\\u202f') for French typography's spaces."""
    title = "Lettre de la direction régionale : nouvelles du Sud-Ouest ; et ailleurs ?"
    config = CONFIG.replace('title = "Lettre de test"', f'title = "{title}"')
    folder = make_folder(config=config)
    [finding] = findings(folder)
    assert finding.message.endswith(
        "shorten 'title' in lettre.toml: 'Lettre de la direction régionale\u00a0: nouvelles du "
        "Sud-Ouest\u202f; et ailleurs\u202f? du 13 juin 2025'"
    )
    assert "\\x" not in str(finding) and "\\u" not in str(finding)


def test_mailto_only_unsubscribe_is_a_warning(make_folder: Callable[..., Path]) -> None:
    config = CONFIG.replace(
        'url = "https://lettre.example.org/desabonnement"', 'mailto = "stop@example.org"'
    )
    folder = make_folder(config=config)
    [finding] = findings(folder)
    assert finding.severity == "warning"
    assert "no one-click unsubscribe (RFC 8058)" in finding.message


USER_TEMPLATE = """\
<!DOCTYPE html>
<html><body>
{% for section in letter.sections %}
<h2 class="section-title">{{ section.label }}</h2>
{% endfor %}
<div class="footer"><a href="desabonnement.html">Se désabonner</a></div>
</body></html>
"""


def test_a_broken_user_template(make_folder: Callable[..., Path]) -> None:
    folder = make_folder()
    (folder / "templates").mkdir()
    (folder / "templates" / "letter.html.j2").write_text(USER_TEMPLATE, encoding="utf-8")
    assert lines(findings(folder)) == [
        "error: link 'desabonnement.html' is relative: it leads nowhere in an e-mail (write "
        "the full https:// address, or set base_url in lettre.toml) (HTML part, line 4)",
        "error: section 'Communiqués' is empty in the HTML (HTML part, line 3): check the template",
        "error: the HTML has no unsubscribe link: check the template's footer",
        "warning: the HTML has no lang attribute: screen readers guess the language",
    ]


def test_an_item_with_only_a_title(make_folder: Callable[..., Path]) -> None:
    folder = make_folder({"2025-06-10-vide.md": item_text(title="Rien", body="")})
    [finding] = findings(folder)
    assert str(finding) == (
        f"{folder}/items/2025-06-10-vide.md:6: warning: 'Rien' has only a title: "
        "add a summary or a body"
    )


def test_a_letter_over_102_kb(make_folder: Callable[..., Path]) -> None:
    paragraph = "Une phrase assez longue pour remplir la lettre de communication. " * 12
    body = "\n\n".join([paragraph] * 140)
    folder = make_folder({"2025-06-10-long.md": item_text(body=body)})
    [finding] = findings(folder)
    assert finding.severity == "warning" and finding.path is None
    assert finding.message.startswith("the HTML part is ")
    assert "Gmail clips messages over 102 KB" in finding.message


def test_check_week_prints_findings_and_fails_on_errors(  # type: ignore[no-untyped-def]
    run, make_folder: Callable[..., Path]
) -> None:
    folder = make_folder()
    (folder / "templates").mkdir()
    (folder / "templates" / "letter.html.j2").write_text(USER_TEMPLATE, encoding="utf-8")
    result = run("check", "-C", folder, "--week", "2025-06-13")
    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert out[0].startswith("error: link 'desabonnement.html' is relative")
    assert out[-1] == "warning: the HTML has no lang attribute: screen readers guess the language"
    assert result.stderr == "1 file checked: 3 errors, 1 warning\n"
    # without --week, only the items are checked
    assert run("check", "-C", folder).exit_code == 0


def test_check_week_on_the_samples(run, samples: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("check", "-C", samples, "--week", "2025-06-13")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == ""
    assert result.stderr == "18 files checked: no problem\n"


def test_compose_warns_on_stderr_over_102_kb(run, make_folder: Callable[..., Path]) -> None:  # type: ignore[no-untyped-def]
    paragraph = "Une phrase assez longue pour remplir la lettre de communication. " * 12
    folder = make_folder({"2025-06-10-long.md": item_text(body="\n\n".join([paragraph] * 140))})
    result = run("compose", "-C", folder, "--week", "2025-06-13", "-f", "html")
    assert result.exit_code == 0
    size = len(result.stdout.encode("utf-8"))
    assert size > 102 * 1024
    assert result.stderr == (
        f"Warning: the HTML is {size / 1024:.0f} KB; Gmail clips messages over 102 KB\n"
    )


def test_a_style_over_16_kb(make_folder: Callable[..., Path]) -> None:
    folder = make_folder()
    (folder / "templates").mkdir()
    rules = "".join(f".r{n} {{ color: #000091 !important; }}\n" for n in range(700))
    css = f"@media only screen and (max-width: 620px) {{\n{rules}}}\n"
    (folder / "templates" / "style.css").write_text(css, encoding="utf-8")
    [finding] = findings(folder)
    assert finding.severity == "warning"
    assert finding.message.startswith("the <style> left after inlining is ")
    assert "Gmail ignores it over 16 KB" in finding.message


def test_links_the_letter_had_to_leave_out(make_folder: Callable[..., Path]) -> None:
    body = (
        "Voir [les archives](archives/2024.html).\n"
        "\n"
        "Un [piège](javascript:alert(1)) et ![une photo](images/a.jpg).\n"
    )
    config = CONFIG.replace('base_url = "https://lettre.example.org/"\n', "")
    folder = make_folder(
        {"2025-06-10-x.md": item_text(body=body, url="actualites/x.html")}, config=config
    )
    path = folder / "items" / "2025-06-10-x.md"
    assert lines(findings(folder)) == [
        f"{path}: warning: 'url' 'actualites/x.html' is left out: it is relative and "
        "lettre.toml has no base_url",
        f"{path}:7: warning: link 'archives/2024.html' is left out of the letter (its text "
        "is kept): it is relative and lettre.toml has no base_url",
        f"{path}:9: warning: link 'javascript:alert(1)' is left out of the letter (its text "
        "is kept): only http(s) and mailto links work",
        f"{path}:9: warning: image 'images/a.jpg' is left out of the letter (its text is "
        "kept): it is relative and lettre.toml has no base_url",
    ]


def test_a_user_template_with_a_span_preheader_and_nested_divs(
    make_folder: Callable[..., Path],
) -> None:
    template = """\
<!DOCTYPE html>
<html lang="fr"><head><title>{{ letter.subject }}</title></head><body>
<span class="preheader"><span>{{ letter.preheader }}</span></span>
{% for section in letter.sections %}
<div><h2 class="section-title">{{ section.label }}</h2>
<div><div>{% for entry in section.entries %}<p>{{ entry.title }}</p>{% endfor %}</div></div>
</div>
{% endfor %}
<div class="footer"><a href="{{ letter.unsubscribe_url }}">Se désabonner</a></div>
</body></html>
"""
    folder = make_folder()
    (folder / "templates").mkdir()
    (folder / "templates" / "letter.html.j2").write_text(template, encoding="utf-8")
    assert findings(folder) == []
