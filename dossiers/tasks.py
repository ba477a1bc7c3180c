from celery import shared_task


@shared_task(ignore_result=True)
def check_deadlines_task():
    """The periodic deadline watch (also: python manage.py check_deadlines)."""
    from .deadlines import deadline_sweep

    return deadline_sweep().counts()
