"""Raise the catalogue's revision (procedures.models.CatalogRevision) with every saved or deleted
row the intake's copy of the catalogue is made of. Bulk writes send no signal: the services that
make them (procedures/services.py) save the version first, in the same transaction."""

from django.db.models.signals import post_delete, post_save

from .models import AgencyProcedure, Field, Procedure, ProcedureVersion, RequiredDocument, WorkflowStep
from .revision import catalog_changed

CATALOG_MODELS = (Field, Procedure, ProcedureVersion, RequiredDocument, WorkflowStep, AgencyProcedure)


def _connect():
    for model in CATALOG_MODELS:
        name = model._meta.model_name
        post_save.connect(_changed, sender=model, dispatch_uid=f"procedures.catalog.{name}_saved")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"procedures.catalog.{name}_deleted")


def _changed(sender, using="default", **kwargs):
    catalog_changed(using)


_connect()
