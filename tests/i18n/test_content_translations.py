"""The demo data carries its content in Khmer, Thai and Vietnamese: the eight modules, the
programme, the open cohorts and the organisers, every translated field filled in, in its script."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from modeltranslation.translator import translator

from partners.models import Partner
from pilots.demo.open_cohorts import COHORTS
from pilots.models import Cohort, Module, Programme

pytestmark = pytest.mark.django_db

# Vietnamese is written in Latin letters: it must at least differ from the English.
SCRIPTS = {"km": re.compile("[\u1780-\u17ff]"), "th": re.compile("[\u0e00-\u0e7f]"), "vi": None}


def _untranslated(obj):
    problems = []
    for field in translator.get_options_for_model(type(obj)).fields:
        if not getattr(obj, f"{field}_en"):
            continue  # nothing to translate
        for language, script in SCRIPTS.items():
            text = getattr(obj, f"{field}_{language}") or ""
            if not text or (script.search(text) is None if script else text == getattr(obj, f"{field}_en")):
                problems.append(f"{obj}: {field}_{language} = {text!r}")
    return problems


def test_every_content_field_of_the_demo_data_is_translated():
    call_command("seed_demo", stdout=StringIO())
    programme = Programme.objects.get()
    objects = [programme, *Module.objects.filter(programme=programme)]
    objects += list(Cohort.objects.filter(code__in=[c[0] for c in COHORTS]))
    objects += [c.organiser for c in objects if isinstance(c, Cohort)]
    objects += list(Partner.objects.filter(acronym__in=["OSAPG", "DC-Cam"]))
    assert Module.objects.filter(programme=programme).count() == 8
    problems = [problem for obj in objects for problem in _untranslated(obj)]
    assert not problems, problems
    # The sessions of the open cohorts carry their module's title in every language.
    for cohort in Cohort.objects.filter(code__in=[c[0] for c in COHORTS]):
        for session in cohort.sessions.select_related("module"):
            assert session.title_km == session.module.title_km
