"""Names of the programme's fixed choices, in the page's language."""

from flask_babel import lazy_gettext as _l

ACTIVITIES = {
    "cooking": _l("Cooking"),
    "light_exercise": _l("Light exercise"),
    "language_cafe": _l("Language café"),
    "job_club": _l("Job club"),
    "other": _l("Other activity"),
}
