from celery import shared_task


@shared_task(ignore_result=True)
def weekly_report_task():
    """Mondays: last week's figures to every leader (in-app and e-mail)."""
    from .weekly import weekly_report_send

    return weekly_report_send()


@shared_task(ignore_result=True)
def warm_dashboards_task():
    """Every minute or so: the dashboards' standard periods, computed ahead into the shared cache."""
    from .live import warm_dashboards

    return warm_dashboards()
