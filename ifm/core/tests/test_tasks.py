from django.core import mail

from ifm.core.tasks import send_email_after_commit


def test_email_job(db, run_jobs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send_email_after_commit(to=["a@b.test"], subject="Hi", body="x")
    assert run_jobs() == 1
    assert mail.outbox[0].subject == "Hi"
