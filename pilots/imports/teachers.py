"""Planning a file of teachers with their enrolments."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from pilots.choices import COUNTRY_LANGUAGE, EnrolmentStatus, Gender, Language, NameOrder, SchoolLevel
from pilots.enrolment import placement_status, seats_taken_by_cohort
from pilots.models import Enrolment, Province, Teacher
from pilots.province_names import ProvinceMatcher, current_province
from pilots.teachers import name_order, parse_phone, reject_control_characters, require_letter

from .rows import choice_value, existing_teachers, row_cohort, row_identity, take_seat

NAME_COLUMNS = ("family_name", "given_name", "family_name_latin", "given_name_latin")


def plan_teachers(plan, table, cohorts):
    provinces = ProvinceMatcher(Province.objects.select_related("successor"))
    parsed = []
    for number, values in table:
        cohort = row_cohort(plan, number, values, cohorts)
        identity = row_identity(plan, number, values)
        if not (values["family_name"] or values["given_name"]):
            plan.problem(number, "family_name", _("The teacher's name is missing."))
        for column in NAME_COLUMNS:  # the registration form's rules for names
            try:
                reject_control_characters(values.get(column) or "")
                require_letter(values.get(column) or "")
            except ValidationError as exc:
                plan.problem(number, column, exc.messages[0])
        fields = {}
        for column, choices, default in (
            ("gender", Gender, Gender.UNDISCLOSED),
            ("school_level", SchoolLevel, ""),
            ("name_order", NameOrder, None),
            ("preferred_language", Language, None),
            ("status", EnrolmentStatus, None),
        ):
            value = choice_value(values.get(column, ""), choices, default)
            if value is None and values.get(column):
                plan.problem(number, column, _("“%(value)s” is not one of: %(choices)s.")
                             % {"value": values[column], "choices": ", ".join(choices.values)})
            fields[column] = value
        province = None
        if values.get("province"):
            province = provinces.match(values["province"])
            if province is None:
                country = cohort.country if cohort else ""
                nearest = provinces.suggestions(values["province"], country)
                if nearest:
                    plan.problem(number, "province", _("Unknown province “%(value)s”. Did you mean "
                                                       "%(names)s?")
                                 % {"value": values["province"],
                                    "names": _(" or ").join(f"“{p.name}”" for p in nearest)})
                else:
                    plan.problem(number, "province", _("Unknown province “%(value)s”.")
                                 % {"value": values["province"]})
            elif cohort and cohort.country and province.country != cohort.country:
                plan.problem(number, "province", _("%(province)s is not in the cohort's country "
                                                   "(%(country)s).")
                             % {"province": province, "country": cohort.get_country_display()})
            elif cohort:
                # A Vietnamese unit merged in 2025 stands for its successor in later cohorts.
                province = current_province(province, cohort.start_date)
        years = None
        if values.get("years_experience"):
            try:
                years = int(values["years_experience"])
                if not 0 <= years <= 60:
                    raise ValueError
            except ValueError:
                plan.problem(number, "years_experience", _("Years of teaching must be a whole "
                                                           "number from 0 to 60."))
        phone = values.get("phone", "")
        if phone and cohort:
            try:
                phone = parse_phone(phone, cohort=cohort, province=province).as_e164
            except ValidationError as exc:
                plan.problem(number, "phone", exc.messages[0])
        for column in ("family_name", "given_name", "family_name_latin", "given_name_latin", "school"):
            if len(values.get(column, "")) > (200 if column == "school" else 150):
                plan.problem(number, column, _("This text is too long."))
        parsed.append((number, values, cohort, identity, fields, province, years, phone))

    by_email, by_name = existing_teachers([p[3] for p in parsed if p[3]])
    existing_pairs = set()
    teacher_ids = [t.pk for t in (*by_email.values(), *by_name.values())]
    if teacher_ids and plan.cohort_ids:
        existing_pairs = set(
            Enrolment.objects.filter(teacher_id__in=teacher_ids, cohort_id__in=plan.cohort_ids)
            .values_list("teacher_id", "cohort_id")
        )
    seats = seats_taken_by_cohort(plan.cohort_ids)
    new_by_key, seen_pairs = {}, {}
    created = reused = enrolled = 0
    for number, values, cohort, identity, fields, province, years, phone in parsed:
        if identity is None or cohort is None:
            continue
        email, name_key = identity
        key = ("email", email) if email else ("name", name_key)
        existing = by_email.get(email) if email else by_name.get(name_key)
        pair = (key, cohort.pk)
        if pair in seen_pairs:
            plan.problem(number, "email" if email else "family_name",
                         _("Duplicate teacher: the same teacher is already in row %(row)s for this "
                           "cohort.") % {"row": seen_pairs[pair]})
            continue
        seen_pairs[pair] = number
        if existing is not None:
            if (existing.pk, cohort.pk) in existing_pairs:
                plan.changes.append((number, _("%(teacher)s is already enrolled in %(cohort)s: left "
                                               "unchanged.") % {"teacher": existing, "cohort": cohort}))
                continue
            reused += 1
            who = str(existing)
            plan.changes.append((number, _("Existing teacher %(teacher)s reused.") % {"teacher": who}))
        elif key in new_by_key:
            who = str(new_by_key[key])
        else:
            language = fields["preferred_language"] or COUNTRY_LANGUAGE.get(cohort.country, cohort.language)
            order = fields["name_order"] or name_order(cohort, province)
            teacher = Teacher(
                family_name=values["family_name"], given_name=values["given_name"],
                family_name_latin=values.get("family_name_latin", ""),
                given_name_latin=values.get("given_name_latin", ""), name_order=order,
                gender=fields["gender"], email=email, phone=phone, school=values.get("school", ""),
                school_level=fields["school_level"] or "", province=province, years_experience=years,
                preferred_language=language,
            )
            new_by_key[key] = teacher
            plan.new_teachers.append(teacher)
            created += 1
            who = str(teacher)
            plan.changes.append((number, _("New teacher %(teacher)s.") % {"teacher": who}))
        status = fields["status"]
        if not status:
            status = placement_status(cohort, seats.get(cohort.pk, 0))
        if take_seat(seats, cohort, status):
            plan.problem(number, "status", _("%(cohort)s would have more seated teachers than its "
                                             "capacity (%(capacity)s). Raise the capacity first or "
                                             "import this teacher as waitlisted.")
                         % {"cohort": cohort, "capacity": cohort.capacity})
        plan.new_enrolments.append((key, existing, cohort, status))
        enrolled += 1
        plan.changes.append((number, _("Enrol %(teacher)s in %(cohort)s as %(status)s.")
                             % {"teacher": who, "cohort": cohort,
                                "status": EnrolmentStatus(status).label}))
    plan.new_teachers_by_key = new_by_key
    plan.counts = {_("New teachers"): created, _("Existing teachers reused"): reused,
                   _("New enrolments"): enrolled}
