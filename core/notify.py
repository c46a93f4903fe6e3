"""E-mail notices, rendered in each recipient's own language.

`send_notice` does not talk to a mail server: it writes each recipient's
rendered message to the outbox (and the in-app notice for each user) in the
current transaction, and the messages are sent by a worker after the commit
(see `worker.outbox`). So a change that rolls back mails nothing, and a change
that committed is mailed even if the broker or the mail server is down at the
time: the outbox scan sends it when they are back.

It may be called inside the caller's transaction (the safest: the notice is
written together with the change) or from `transaction.on_commit`.
"""


def send_notice(
    *, recipients, template: str, context: dict, optional: bool = False, link: str = ""
) -> int:
    """Queue `email/<template>.{subject.txt,txt,html}` for each recipient (users,
    or (email, language) pairs). Returns how many e-mails were queued.

    `optional` marks a reminder: people who turned reminder e-mails off get it
    in the app only. Everything else (decisions, correction requests,
    rejections, contract and refund notices) is always e-mailed. `link` is
    where the in-app notice points.
    """
    from worker.outbox import queue_notice

    return len(
        queue_notice(
            recipients=recipients,
            template=template,
            context=context,
            optional=optional,
            link=link,
        )
    )
