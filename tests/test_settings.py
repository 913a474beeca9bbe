"""Settings: defaults, parsing, errors that name the variable, secrets masked."""

from pathlib import Path

import pytest

from utils.settings import ENV_VARS, Settings, SettingsError, load_settings


def test_defaults_are_sane():
    s = load_settings({})
    assert s.providers[-1] == "template"
    assert s.kind_weights["readme"] > s.kind_weights["docs"] > s.kind_weights["changelog"]
    assert s.kind_weights["changelog"] > s.kind_weights["issue"] > s.kind_weights["commit"]
    assert s.database_path == s.data_dir / "herald.db"


def test_env_values_are_parsed():
    s = load_settings(
        {
            "HERALD_DATA_DIR": "/tmp/herald-x",
            "HERALD_RETRIEVAL_K": "5",
            "HERALD_PROVIDERS": "local, template",
            "HERALD_KIND_WEIGHTS": "commit=0.9",
            "HERALD_GUARD_JUDGE_BAND": "0.2,0.8",
        }
    )
    assert s.data_dir == Path("/tmp/herald-x")
    assert s.retrieval_k == 5
    assert s.providers == ("local", "template")
    assert s.kind_weights["commit"] == 0.9 and s.kind_weights["readme"] == 1.0
    assert s.guard_judge_band == (0.2, 0.8)


@pytest.mark.parametrize(
    "name,value",
    [
        ("HERALD_RETRIEVAL_K", "many"),
        ("HERALD_KIND_WEIGHTS", "blog=1"),
        ("HERALD_GUARD_JUDGE_BAND", "0.9,0.1"),
        ("HERALD_PROVIDERS", "groq,skynet"),
        ("HERALD_LOCAL_JUDGE", "maybe"),
    ],
)
def test_bad_values_name_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})


@pytest.mark.parametrize("value,expected", [("1", True), ("yes", True), ("0", False), ("off", False)])
def test_local_judge_flag_is_parsed(value, expected):
    assert load_settings({}).local_judge is False
    assert load_settings({"HERALD_LOCAL_JUDGE": value}).local_judge is expected


def test_secrets_are_masked_in_public_dict_and_repr():
    s = load_settings({"GROQ_API_KEY": "gsk_secret_value", "GITHUB_TOKEN": "ghp_x"})
    shown = s.public_dict()
    assert shown["groq_api_key"] == "set" and shown["github_token"] == "set"
    assert "gsk_secret_value" not in repr(s)


def test_every_env_var_maps_to_a_field():
    names = set(Settings.__dataclass_fields__)
    assert {attr for attr, _ in ENV_VARS.values()} <= names


def test_readme_documents_every_env_var():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    missing = [name for name in ENV_VARS if f"`{name}`" not in readme]
    assert not missing, f"README configuration table lacks {missing}"
