"""The structured pass over software claims (chains/guard/facts/) and the guard on bad input.

Real parts only (regex, the real cascade with FakeEmbedder vectors); no network.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chains.guard import check_post, report_from_dict, report_to_dict
from chains.guard.facts import check_facts, failed, project_facts
from tests.fakes import FakeEmbedder

README = """# quickgrep

quickgrep is a command-line search tool written in Rust.
It runs on Linux and macOS.
quickgrep is released under the MIT licence.
It was created by Ada Lovelace.
Install it with `cargo install quickgrep`.
The `--hidden` flag also searches hidden files.
Searching the kernel tree takes 0.8 seconds with 8 threads.
By default, the search is case-insensitive.
quickgrep does not follow symbolic links.
Results are printed in JSON with `--json`.
"""
DOCS = [("README.md", 1, README)]


def _verdicts(claim: str) -> dict[str, str]:
    return {c.kind: c.verdict for c in check_facts(claim, project_facts(DOCS))}


@pytest.mark.parametrize(
    ("claim", "kind"),
    [
        ("quickgrep is written in Go.", "language"),
        ("quickgrep runs on Windows.", "platform"),
        ("quickgrep is released under the GPL.", "licence"),
        ("quickgrep was created by Linus Torvalds.", "person"),
        ("quickgrep is used by Google.", "organisation"),
        ("quickgrep is the fastest search tool in the world.", "superlative"),
        ("Install it with `cargo install quickgrep-ng`.", "package"),
        ("Install it with `brew install quickgrep`.", "command"),
        ("The `--all` flag also searches hidden files.", "flag"),
        ("The `-H` flag also searches hidden files.", "flag"),
        ("Searching the kernel tree takes 0.8 ms with 8 threads.", "number"),
        ("Searching the kernel tree takes 0.8 seconds with 16 threads.", "number"),
        ("By default, the search is case-sensitive.", "negation"),
        ("quickgrep follows symbolic links.", "negation"),
        ("Results are printed in XML with `--json`.", "tool"),
    ],
)
def test_each_kind_of_false_assertion_fails_its_own_check(claim, kind):
    checks = check_facts(claim, project_facts(DOCS))
    bad = failed(checks)
    assert any(c.kind == kind for c in bad), [(c.kind, c.verdict, c.reason) for c in checks]


@pytest.mark.parametrize(
    "claim",
    [
        "quickgrep is a Rust command-line search tool.",
        "It works on macOS and Linux.",
        "quickgrep uses the MIT licence.",
        "Ada Lovelace created quickgrep.",
        "Install it with `cargo install quickgrep`.",
        "Pass `--hidden` to include hidden files.",
        "A search of the kernel tree takes 0.8 seconds on 8 threads.",
        "Searches are case-insensitive by default.",
        "quickgrep doesn't follow symbolic links.",
        "With `--json` the results come out as JSON.",
    ],
)
def test_faithful_paraphrases_pass_every_check(claim):
    checks = check_facts(claim, project_facts(DOCS))
    assert not failed(checks), [(c.kind, c.text, c.reason) for c in failed(checks)]


def test_a_failed_check_carries_the_sentence_that_says_otherwise():
    (check,) = [
        c
        for c in check_facts("By default, the search is case-sensitive.", project_facts(DOCS))
        if c.kind == "negation"
    ]
    assert check.evidence is not None and check.evidence.path == "README.md"
    assert check.evidence.start_line == 10 and "case-insensitive" in check.evidence.text
    (lang,) = [
        c for c in check_facts("quickgrep is written in Go.", project_facts(DOCS)) if c.kind == "language"
    ]
    assert "Rust" in lang.reason and lang.evidence is not None and lang.evidence.start_line == 3


def test_number_words_and_units_are_read():
    docs = [("README.md", 1, "Failed jobs are retried three times.\nA push adds 2 ms of latency.\n")]
    facts = project_facts(docs)
    assert not failed(check_facts("Failed jobs are retried 3 times.", facts))
    assert failed(check_facts("Failed jobs are retried five times.", facts))
    assert not failed(check_facts("A push adds about 2 milliseconds of latency.", facts))
    assert failed(check_facts("A push adds 2 seconds of latency.", facts))


CHANGELOG = """# Changelog

## 4.2.0
Drop support for Python 3.8; quickgrep now requires Python 3.9 or later.

## 4.1.0
Add wheels for Python 3.12 on Linux.
"""


def test_a_real_version_on_the_wrong_release_fails_with_the_sentence_that_gives_the_right_one():
    facts = project_facts([("CHANGELOG.md", 1, CHANGELOG)])
    # 3.12 is in the project, but the sentence the claim restates gives 3.8
    checks = check_facts("Drop support for Python 3.12; quickgrep now requires Python 3.9 or later.", facts)
    (bad,) = [c for c in failed(checks)]
    assert bad.kind == "version" and bad.text == "3.12" and "3.8" in bad.reason
    assert bad.evidence is not None and bad.evidence.start_line <= 4 <= bad.evidence.end_line
    assert not [c for c in checks if c.text == "3.12" and c.verdict == "supported"]
    assert not failed(
        check_facts("quickgrep dropped Python 3.8 support and now requires Python 3.9 or later.", facts)
    )
    assert not failed(check_facts("Wheels for Python 3.12 on Linux were added.", facts))
    # a version the restating sentences do not tie down is left to the look-up
    assert not failed(check_facts("quickgrep 4.2.0 is out.", facts))


def test_an_invented_capability_fails_and_a_real_one_passes():
    facts = project_facts(DOCS)
    claim = "The `--hidden` flag also searches hidden files, and it can also sync your settings to the cloud."
    (bad,) = failed(check_facts(claim, facts))
    assert bad.kind == "capability" and "sync your settings to the cloud" in bad.text
    assert "settings" in bad.reason and "cloud" in bad.reason
    assert not failed(check_facts("quickgrep can also search hidden files with `--hidden`.", facts))
    # words the project never uses, but no capability asserted: left to the score
    assert not failed(check_facts("The document discusses remote preferences for motion recognition.", facts))


@pytest.fixture
def emb():
    return FakeEmbedder()


def test_post_claims_carry_their_checks_and_survive_a_round_trip(settings, emb):
    report = check_post(
        "quickgrep is written in Go. quickgrep runs on Linux and macOS.", README, emb, settings
    )
    first, second = report.claims
    assert first.verdict == "unsupported" and first.stage == "facts"
    assert "Go" in first.reason and "README" not in first.reason or "source" in first.reason
    assert any(c.kind == "language" and c.verdict == "unsupported" for c in first.checks)
    assert any(c.kind == "platform" and c.verdict == "supported" for c in second.checks)
    again = report_from_dict(json.loads(json.dumps(report_to_dict(report))))
    assert again.claims[0].checks == first.checks


def test_superlatives_and_endorsements_are_unsupported_without_a_source(settings, emb):
    draft = "quickgrep is the most popular search tool. Thousands of companies trust quickgrep."
    report = check_post(draft, README, emb, settings)
    assert [c.verdict for c in report.claims] == ["unsupported", "unsupported"]
    assert all("superlative or endorsement" in c.reason for c in report.claims)


# ------------------------------------------------------------------ bad input


def test_a_2000_character_claim_is_cut_and_every_part_checked(settings, emb):
    claim = "quickgrep searches hidden files with the --hidden flag and " + "prints results in JSON, " * 80
    claim = claim[:1995] + " and it runs on FreeBSD."
    assert len(claim) >= 2000
    report = check_post(claim, README, emb, settings)
    parts = [c for c in report.claims if c.checkable]
    assert len(parts) >= 5 and any("cut" in n for n in report.notes)
    assert parts[-1].verdict == "unsupported" and any(k.kind == "platform" for k in parts[-1].checks)


def test_a_claim_in_another_language_goes_to_a_person(settings, emb):
    report = check_post(
        "quickgrep est un outil de recherche écrit en Rust et il est très rapide pour les fichiers.",
        README,
        emb,
        settings,
    )
    (claim,) = report.claims
    assert claim.verdict == "not_checkable" and "another language" in claim.reason
    assert report.confidence <= 0.5


def test_a_claim_that_is_only_a_url(settings, emb):
    report = check_post("https://quickgrep.example.dev/docs", README, emb, settings)
    (claim,) = report.claims
    assert claim.checkable and claim.verdict == "unsupported"
    assert "quickgrep.example.dev" in claim.reason


def test_a_post_of_60_claims(settings, emb):
    good = [
        "quickgrep is written in Rust.",
        "It runs on Linux and macOS.",
        "quickgrep is released under the MIT licence.",
    ]
    bad = [
        "quickgrep is written in Go.",
        "quickgrep is used by Netflix.",
        "The `--all` flag searches hidden files.",
    ]
    draft = " ".join((good + bad)[i % 6] for i in range(60))
    report = check_post(draft, README, emb, settings)
    checked = [c for c in report.claims if c.checkable]
    assert len(checked) == 60
    assert sum(c.verdict == "unsupported" for c in checked) == 30
    assert all(c.verdict == "supported" for c in checked if c.text in good)


def test_evidence_in_a_table_and_in_a_code_block(settings, emb):
    project = (
        "# bench\n\n| threads | seconds |\n|---|---|\n| 8 | 0.8 |\n| 16 | 0.5 |\n\n"
        "```bash\ncargo install quickgrep --locked\n```\n"
    )
    report = check_post(
        "With 16 threads the search takes 0.5 seconds. Install with cargo install quickgrep --locked.",
        project,
        emb,
        settings,
    )
    first, second = report.claims
    assert not failed(first.checks), first.reason
    assert any("threads: 16" in e.text for e in first.evidence)
    assert not failed(second.checks) and any(k.kind == "flag" and k.text == "--locked" for k in second.checks)
    wrong = check_post("Install with cargo install quickgrep --frozen.", project, emb, settings).claims[0]
    assert wrong.verdict == "unsupported" and "--frozen" in wrong.reason


def test_readme_contradicting_its_changelog_is_reported_not_decided(settings, emb, tmp_path: Path):
    from dataclasses import dataclass

    @dataclass
    class Passage:
        text: str
        path: str
        start_line: int
        end_line: int
        score: float = 1.0

    readme = Passage("The latest release of quickgrep is version 3.1.0.", "README.md", 5, 5)
    changelog = Passage("The latest release of quickgrep is version 3.2.0.", "CHANGELOG.md", 1, 1)

    def search(query: str, k: int):
        return [readme, changelog]

    project_text = f"README.md\n{readme.text}\nCHANGELOG.md\n{changelog.text}"
    report = check_post(
        "The latest release of quickgrep is version 3.1.0.", search, emb, settings, project_text=project_text
    )
    (claim,) = report.claims
    assert claim.verdict == "not_checkable" and "contradicts itself" in claim.reason
    assert "README.md" in claim.reason and "CHANGELOG.md" in claim.reason
    assert report.confidence <= 0.5
