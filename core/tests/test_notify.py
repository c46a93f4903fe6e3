from django.core import mail

from applications.services import application_submit, group_invite


def test_submission_confirmation_in_each_recipients_language(
    application, owner, editor, django_capture_on_commit_callbacks
):
    editor.language = "en"
    editor.save()
    with django_capture_on_commit_callbacks(execute=True):
        submitted = application_submit(application=application, actor=owner)

    by_recipient = {m.to[0]: m for m in mail.outbox}
    polish, english = by_recipient[owner.email], by_recipient[editor.email]
    assert submitted.number in polish.subject and submitted.number in english.subject
    assert "received" in english.subject
    assert "received" not in polish.subject
    assert f"/applications/{submitted.pk}/" in polish.body
    html, mime = polish.alternatives[0]
    assert mime == "text/html" and submitted.number in html


def test_invitation_mail_links_to_acceptance(group, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = group_invite(group=group, actor=owner, email="nowa@example.org", role="editor")
    (message,) = mail.outbox
    assert message.to == ["nowa@example.org"]
    assert str(invitation.token) in message.body
