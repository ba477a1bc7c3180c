"""Give the catalogue a new revision stamp (procedures.models.CatalogRevision) with every saved or
deleted row the intake's copy of the catalogue is made of, and after every migrate (a data migration
writes through historical models, which send these signals to nobody).

The stamp is written *before* the row (pre_save, pre_delete): every catalogue transaction locks the
revision row first, so two of them wait for each other instead of deadlocking. Bulk writes send no
signal: the services that make them (procedures/services.py) save the version first, in the same
transaction, and the load generator calls ``catalog_changed`` itself."""

from django.db.models.signals import post_migrate, pre_delete, pre_save

from .models import (
    AgencyProcedure,
    CatalogRevision,
    Field,
    Procedure,
    ProcedureVersion,
    RequiredDocument,
    WorkflowStep,
)
from .revision import catalog_changed

CATALOG_MODELS = (Field, Procedure, ProcedureVersion, RequiredDocument, WorkflowStep, AgencyProcedure)


def _connect():
    for model in CATALOG_MODELS:
        name = model._meta.model_name
        pre_save.connect(_changed, sender=model, dispatch_uid=f"procedures.catalog.{name}_saved")
        pre_delete.connect(_changed, sender=model, dispatch_uid=f"procedures.catalog.{name}_deleted")
    post_migrate.connect(_migrated, dispatch_uid="procedures.catalog.migrated")


def _changed(sender, using="default", **kwargs):
    catalog_changed(using)


def _migrated(sender, app_config=None, using="default", plan=None, **kwargs):
    if app_config is not None and app_config.label == "procedures" and plan is not None:
        from django.db import connections

        if CatalogRevision._meta.db_table in connections[using].introspection.table_names():
            catalog_changed(using)


_connect()
