"""Sign-in, sign-out and password reset by email, with our own templates."""

import re

from django.urls import reverse


def test_sign_in_with_our_template_and_go_to_the_reports(client, make_coordinator):
    make_coordinator("KH", username="dara")
    response = client.get(reverse("login"), {"next": "/reports/"})
    html = response.content.decode()
    assert "<h1>Sign in</h1>" in html and "Forgotten your password?" in html
    assert 'href="/static/bootstrap/css/bootstrap.min.css"' in html  # extends base.html
    response = client.post(
        reverse("login"), {"username": "dara", "password": "pw-coord-1234", "next": "/reports/"}
    )
    assert response.status_code == 302 and response["Location"] == "/reports/"
    html = client.get("/reports/").content.decode()
    assert "<h1>Programme overview</h1>" in html and "Sign out" in html


def test_wrong_password_is_refused(client, make_coordinator):
    make_coordinator("KH", username="dara")
    response = client.post(reverse("login"), {"username": "dara", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_sign_out_is_a_post_and_returns_home(client, make_coordinator):
    client.force_login(make_coordinator("KH"))
    response = client.post(reverse("logout"), follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/" and 'href="/accounts/login/"' in html
    assert client.get("/reports/").status_code == 302


def test_password_reset_by_email(client, make_coordinator, mailoutbox):
    user = make_coordinator("TH", username="somchai")
    user.email = "somchai@example.org"
    user.save()
    response = client.post(reverse("password_reset"), {"email": "somchai@example.org"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject == "Choose a new password for Pilots" and message.to == ["somchai@example.org"]
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", message.body).group(1)
    response = client.get(link, follow=True)
    assert "Choose a new password" in response.content.decode()
    new = {"new_password1": "a-new-Passw0rd!", "new_password2": "a-new-Passw0rd!"}
    response = client.post(response.redirect_chain[-1][0], new, follow=True)
    assert "Your new password is set" in response.content.decode()
    response = client.post(reverse("login"), {"username": "somchai", "password": "a-new-Passw0rd!"})
    assert response.status_code == 302


def test_password_reset_for_unknown_address_sends_nothing_and_says_the_same(client, db, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert "Check your email" in response.content.decode()
    assert mailoutbox == []
