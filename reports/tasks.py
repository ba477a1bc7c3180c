from celery import shared_task


@shared_task(ignore_result=True)
def weekly_report_task():
    """Mondays: last week's figures to every leader (in-app and e-mail)."""
    from .weekly import weekly_report_send

    return weekly_report_send()
