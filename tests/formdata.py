"""Build the POST data of the workload change form as a browser would send it."""

from tinyforge.sources import get_path

PREFIX = "config__"


def field_name(path):
    return PREFIX + path.replace(".", "__")


def _text(value):
    return "" if value is None else str(value)


def workload_form_data(workload, config=None, shown=None, omit=(), **overrides):
    """Return change-form data: ``shown`` is the config the form displayed (hidden
    initials), ``config`` the values typed into the inputs; both default to the
    workload's current config. Paths in ``omit`` are left out, like disabled inputs.
    """
    shown = workload.source_config if shown is None else shown
    config = shown if config is None else config
    data = {
        "name": workload.name,
        "new_secret": "",
        "env-TOTAL_FORMS": "0", "env-INITIAL_FORMS": "0",
        "faces-TOTAL_FORMS": "0", "faces-INITIAL_FORMS": "0",
    }
    for config_field in workload.source.fields:
        name = field_name(config_field.path)
        data["initial-" + name] = _text(get_path(shown, config_field.path, None))
        if config_field.path not in omit:
            data[name] = _text(get_path(config, config_field.path, None))
    data.update(overrides)
    return data
