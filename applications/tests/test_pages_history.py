from django.urls import reverse

from applications.services import application_submit
from core.transitions import write_audit
from tests import factories as f


def test_the_applicants_history_never_names_a_commission_member(
    client, application, owner, official
):
    submitted = application_submit(application=application, actor=owner)
    chair = f.UserFactory(full_name="Przewodnicząca Komisji")
    write_audit(submitted, transition="recommendation_record", actor=chair, payload={"amount": "1"})
    url = reverse("application-detail", args=[submitted.pk])

    client.force_login(owner)
    page = client.get(url).content.decode()
    assert owner.full_name in page  # the history is there: the submission by the owner
    assert chair.full_name not in page

    client.force_login(official)
    assert chair.full_name in client.get(url).content.decode()
