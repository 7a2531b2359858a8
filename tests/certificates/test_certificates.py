"""Certificates of completion: who gets one, what the PDF says (shaped Khmer and Thai that
pdftotext gives back exactly), the public check, the teacher's download, staff issuing,
re-issuing and revoking."""

import re
import shutil
import subprocess

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from pilots.certificates import services
from pilots.certificates.models import Certificate, RevocationReason
from pilots.choices import Country, EnrolmentStatus, Language, NameOrder
from pilots.status_links import make_registration_token
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    ModuleFactory,
    PartnerFactory,
    SessionFactory,
    completed_enrolment,
)

pytestmark = pytest.mark.django_db

NAMES = {
    Language.KHMER: dict(family_name="ស្រី", given_name="ព្រះក្សត្រី", name_order=NameOrder.FAMILY_FIRST,
                         family_name_latin="Srey", given_name_latin="Preahksatrey"),
    Language.THAI: dict(family_name="ใจดีผู้ใหญ่", given_name="สมศรี", name_order=NameOrder.GIVEN_FIRST,
                        family_name_latin="Jaidee", given_name_latin="Somsri"),
    Language.VIETNAMESE: dict(family_name="Nguyễn", given_name="Thị Hồng Nhung", name_order=NameOrder.FAMILY_FIRST,
                              family_name_latin="", given_name_latin=""),
}
COUNTRIES = {Language.KHMER: Country.CAMBODIA, Language.THAI: Country.THAILAND, Language.VIETNAMESE: Country.VIETNAM}


def _cohort(language=Language.KHMER, sessions=2):
    cohort = CohortFactory(language=language, country=COUNTRIES.get(language, ""))
    cohort.programme.lead_partners.add(PartnerFactory(name="Documentation Center of Cambodia"))
    module = ModuleFactory(programme=cohort.programme, title="Risk factors")
    for _ in range(sessions):
        SessionFactory(cohort=cohort, module=module)
    return cohort


def pdf_text(data: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "certificate.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("language", [Language.KHMER, Language.THAI, Language.VIETNAMESE])
def test_pdf_text_gives_back_the_name_in_its_own_script_exactly(language, tmp_path, django_capture_on_commit_callbacks):
    cohort = _cohort(language)
    enrolment = completed_enrolment(cohort, preferred_language=language, **NAMES[language])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.issue_certificates(cohort_id=cohort.pk) == 1
    certificate = Certificate.objects.get(enrolment=enrolment)
    text = pdf_text(bytes(certificate.pdf), tmp_path)
    assert enrolment.teacher.full_name in text.splitlines()
    assert certificate.code in text
    assert "Certificate of completion" in text  # English beside the teacher's language
    assert cohort.name in text and "Risk factors" in text and "Documentation Center of Cambodia" in text
    assert "2 hours" not in text and "7 hours of training" in text  # two sessions of 3.5 hours


def test_pdf_carries_the_teachers_language_beside_english(tmp_path):
    cohort = _cohort(Language.THAI)
    enrolment = completed_enrolment(cohort, preferred_language=Language.THAI, **NAMES[Language.THAI])
    certificate = services.issue_certificate(enrolment=enrolment)
    text = pdf_text(bytes(certificate.pdf), tmp_path)
    assert "ประกาศนียบัตร" in text
    assert "Certificate of completion" in text


def test_only_teachers_who_complete_get_one():
    cohort = _cohort()
    done = completed_enrolment(cohort)
    EnrolmentFactory(cohort=cohort)  # attended nothing
    waitlisted = completed_enrolment(cohort)
    waitlisted.status = EnrolmentStatus.WAITLISTED
    waitlisted.save()
    assert services.issue_certificates(cohort_id=cohort.pk) == 1
    assert list(Certificate.objects.values_list("enrolment", flat=True)) == [done.pk]
    with pytest.raises(services.CertificateError) as exc:
        services.issue_certificate(enrolment=waitlisted)
    assert exc.value.code == "not_completed"


def test_issuing_twice_issues_nothing_twice(mailoutbox, django_capture_on_commit_callbacks):
    cohort = _cohort()
    completed_enrolment(cohort)
    completed_enrolment(cohort)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.issue_certificates(cohort_id=cohort.pk) == 2
        assert services.issue_certificates(cohort_id=cohort.pk) == 0
    assert Certificate.objects.count() == 2
    assert len(mailoutbox) == 2


def test_database_refuses_a_second_live_certificate():
    cohort = _cohort()
    certificate = services.issue_certificate(enrolment=completed_enrolment(cohort))
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(enrolment=certificate.enrolment, holder_name="x", language="en", pdf=b"")


def test_codes_are_long_random_and_unambiguous():
    cohort = _cohort()
    codes = [services.issue_certificate(enrolment=completed_enrolment(cohort)).code for _ in range(3)]
    for code in codes:
        assert re.fullmatch(r"[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}", code)
    assert len(set(codes)) == 3
    assert sorted(codes) != codes or sorted(codes, reverse=True) != codes  # not a sequence


def test_email_gives_the_download_link(mailoutbox, django_capture_on_commit_callbacks, client):
    cohort = _cohort()
    enrolment = completed_enrolment(cohort, preferred_language=Language.KHMER)
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_certificates(cohort_id=cohort.pk)
    (email,) = mailoutbox
    token = make_registration_token(enrolment)
    link = reverse("certificates:download", args=[token])
    assert link in email.body
    assert "វិញ្ញាបនបត្រ" in email.subject
    response = client.get(link)
    assert response["Content-Type"] == "application/pdf"
    assert bytes(response.content).startswith(b"%PDF")


def test_status_page_offers_the_download_only_once_issued(client):
    cohort = _cohort()
    enrolment = completed_enrolment(cohort)
    token = make_registration_token(enrolment)
    page = client.get(reverse("registration:my_registration", args=[token]))
    assert "certificates:download" not in page.content.decode() and b'id="certificate"' not in page.content
    assert client.get(reverse("certificates:download", args=[token])).status_code == 404
    services.issue_certificate(enrolment=enrolment)
    page = client.get(reverse("registration:my_registration", args=[token]))
    assert reverse("certificates:download", args=[token]).encode() in page.content


def test_forged_status_link_downloads_nothing(client):
    assert client.get(reverse("certificates:download", args=["1:forged"])).status_code == 404


def test_public_page_confirms_name_cohort_dates_and_issuer_only(client):
    cohort = _cohort()
    enrolment = completed_enrolment(cohort, email="private@example.org", school="Secret School")
    certificate = services.issue_certificate(enrolment=enrolment)
    page = client.get(reverse("certificates:verify", args=[certificate.code.lower()]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "This certificate is valid." in html
    assert enrolment.teacher.full_name in html and cohort.name in html
    assert "Documentation Center of Cambodia" in html
    assert "private@example.org" not in html and "Secret School" not in html and "+855" not in html


def test_unknown_code_says_so(client):
    page = client.get(reverse("certificates:verify", args=["AAAA-BBBB-CCCC"]))
    assert page.status_code == 404
    assert "No certificate has this code." in page.content.decode()


def test_revoked_certificate_says_so_and_no_longer_downloads(client):
    cohort = _cohort()
    enrolment = completed_enrolment(cohort)
    certificate = services.issue_certificate(enrolment=enrolment)
    services.revoke_certificate(certificate=certificate)
    page = client.get(reverse("certificates:verify", args=[certificate.code])).content.decode()
    assert "This certificate has been revoked and is not valid." in page
    assert enrolment.teacher.full_name not in page
    token = make_registration_token(enrolment)
    assert client.get(reverse("certificates:download", args=[token])).status_code == 404


def test_reissue_after_a_name_correction_prints_the_new_name(client, tmp_path):
    cohort = _cohort()
    enrolment = completed_enrolment(cohort, given_name="សុភាព")
    old = services.issue_certificate(enrolment=enrolment)
    teacher = enrolment.teacher
    teacher.given_name = "សុភ័ក្រ"
    teacher.save()
    new = services.reissue_certificate(certificate=old)
    old.refresh_from_db()
    assert old.revoked_reason == RevocationReason.REISSUED and new.code != old.code
    assert "សុភ័ក្រ" in pdf_text(bytes(new.pdf), tmp_path)
    page = client.get(reverse("certificates:verify", args=[old.code])).content.decode()
    assert "replaced by a corrected one" in page
    with pytest.raises(services.CertificateError) as exc:
        services.reissue_certificate(certificate=old)
    assert exc.value.code == "revoked"


def test_staff_issue_a_cohorts_certificates_in_one_action(staff_client, staff_user, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    cohort = _cohort()
    cohort.team.add(staff_user)
    for _ in range(3):
        completed_enrolment(cohort)
    url = reverse("certificates:cohort", args=[cohort.code])
    assert "3 completed, 0 certificates issued, 3 still to issue." in staff_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, follow=True)
    assert "3 completed, 3 certificates issued, 0 still to issue." in response.content.decode()
    assert len(mailoutbox) == 3


def test_coordinators_cannot_issue(client, make_coordinator, mailoutbox):
    client.force_login(make_coordinator("KH"))
    cohort = _cohort()
    completed_enrolment(cohort)
    assert client.post(reverse("certificates:cohort", args=[cohort.code])).status_code == 403
    assert not Certificate.objects.exists()


def test_admin_reissue_and_revoke_actions(admin_client):
    cohort = _cohort()
    first = services.issue_certificate(enrolment=completed_enrolment(cohort))
    second = services.issue_certificate(enrolment=completed_enrolment(cohort))
    url = reverse("admin:pilots_certificate_changelist")
    admin_client.post(url, {"action": "reissue", "_selected_action": [first.pk]})
    admin_client.post(url, {"action": "revoke", "_selected_action": [second.pk]})
    assert Certificate.objects.live().count() == 1
    assert Certificate.objects.get(pk=second.pk).revoked_reason == RevocationReason.ERROR
    assert Certificate.objects.live().get().enrolment_id == first.enrolment_id


@pytest.mark.parametrize("size", [1, 6])
def test_coordinators_see_counts_for_their_countries_only(client, make_coordinator, size,
                                                          django_assert_max_num_queries):
    coordinator = make_coordinator("KH")
    mine = _cohort()
    theirs = CohortFactory(country=Country.THAILAND, language=Language.THAI, name="Thai cohort")
    for _ in range(size):
        services.issue_certificate(enrolment=completed_enrolment(mine))
    client.force_login(coordinator)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("certificates:counts"))
    html = page.content.decode()
    assert f'<td class="text-end issued">{size}</td>' in html
    assert mine.name in html and theirs.name not in html
