"""Importers: the flow of bringing marketplace records into Odoo.

* ``batch.importer`` lists what changed in a time window and imports chunks
  of records, each chunk in one transaction (one queue job);
* ``record.importer`` upserts one record, safe to run twice and safe against
  a concurrent import of the same record.
"""

import hashlib
import json
import logging
from collections import Counter

import psycopg2

from odoo.addons.component.core import AbstractComponent
from odoo.addons.queue_job.exception import RetryableJobError

from ..exceptions import RecordsNotFound

_logger = logging.getLogger(__name__)


def payload_hash(data):
    """A fingerprint of a record as the marketplace sent it.

    Two answers with the same update time may still differ (two changes in
    one second); their fingerprints tell.
    """
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha1(text.encode()).hexdigest()


class ChunkResult:
    """What importing a chunk of records did."""

    def __init__(self, bindings):
        self.bindings = bindings
        self.records = bindings
        self.outcomes = Counter()
        self.missing = []


class MarketplaceRecordImporter(AbstractComponent):
    """Upsert one record from the marketplace data.

    Hooks for channels:

    * ``_must_skip()`` returns a reason (str) to import nothing, or None;
    * ``_is_uptodate(binding)`` returns True when the binding already holds
      the incoming data or newer (by default: the same fingerprint, see
      :func:`payload_hash`, stored in the binding's ``payload_hash``);
    * ``_after_import(binding)`` runs once the binding is written.
    """

    _name = "marketplace.record.importer"
    _inherit = ["base.importer", "marketplace.base"]
    _usage = "record.importer"

    def __init__(self, work_context):
        super().__init__(work_context)
        self.external_id = None
        self.external_data = None
        self.external_hash = None
        self.outcome = None

    def _lock_name(self):
        backend = self.backend_record
        model = self.model._name
        return f"import({backend._name}, {backend.id}, {model}, {self.external_id})"

    def _must_skip(self):
        return None

    def _is_uptodate(self, binding):
        return bool(binding.payload_hash) and binding.payload_hash == self.external_hash

    def _after_import(self, binding):
        return None

    def run(self, external_id, external_data):
        """Import ``external_data``, the record known as ``external_id``.

        :returns: the binding (empty when skipped); ``self.outcome`` says
            "created", "updated", "uptodate" or "skipped"
        """
        self.external_id = external_id
        self.external_data = external_data
        self.external_hash = payload_hash(external_data)
        reason = self._must_skip()
        if reason:
            _logger.info("Import of %s skipped: %s", self._lock_name(), reason)
            self.outcome = "skipped"
            return self.model.browse()
        binding = self.binder.to_internal(external_id)
        if binding and self._is_uptodate(binding):
            self.outcome = "uptodate"
            return binding
        # Taken after the cheap checks: only writers serialize.
        self.advisory_lock_or_retry(self._lock_name(), retry_seconds=2)
        map_record = self.mapper.map_record(external_data)
        if binding:
            values = map_record.values(binding=binding)
            values["payload_hash"] = self.external_hash
            binding.with_context(connector_no_export=True).write(values)
            self.outcome = "updated"
        else:
            values = map_record.values(for_create=True)
            values["payload_hash"] = self.external_hash
            binding = self._create(values)
            self.outcome = "created"
        self.binder.bind(external_id, binding)
        self._after_import(binding)
        return binding

    def _create(self, values):
        """Create the binding; a concurrent import that won means retry.

        The advisory lock does not cover a transaction that started before
        the other one committed: it does not see the record and tries to
        create it again. The unique constraints stop it, and the retry runs
        in a fresh transaction that sees the record and updates it.
        """
        try:
            with self.env.cr.savepoint():
                return self.model.with_context(connector_no_export=True).create(values)
        except psycopg2.errors.UniqueViolation as exc:
            raise RetryableJobError(
                self.env._(
                    "%(record)s was imported by another job at the same time; "
                    "importing it again.",
                    record=self.external_id,
                ),
                seconds=2,
            ) from exc


class MarketplaceBatchImporter(AbstractComponent):
    """List the records changed in a window, import them chunk by chunk."""

    _name = "marketplace.batch.importer"
    _inherit = ["base.importer", "marketplace.base"]
    _usage = "batch.importer"

    def _external_id_of(self, record):
        raise NotImplementedError

    def list_updated(self, since, until, progress=None):
        """External ids of the records updated in [since, until].

        ``progress``: a dict the adapter fills as it lists; given again after
        a failure, the listing goes on where it stopped.
        """
        if progress is None:
            return self.backend_adapter.search(since, until)
        return self.backend_adapter.search(since, until, progress=progress)

    def import_chunk(self, external_ids):
        """Read and upsert ``external_ids``.

        :returns: a :class:`ChunkResult`; its ``missing`` lists the ids the
            marketplace did not return, for the caller to decide
        """
        records = self._read_isolating(list(external_ids))
        importer = self.component(usage="record.importer")
        result = ChunkResult(self.model.browse())
        for record in records:
            result.bindings |= importer.run(self._external_id_of(record), record)
            result.outcomes[importer.outcome] += 1
        returned = {self._external_id_of(record) for record in records}
        result.missing = [ext_id for ext_id in external_ids if ext_id not in returned]
        if result.missing:
            _logger.warning(
                "%s: the marketplace returned no data for %s",
                self.backend_record.display_name,
                ", ".join(result.missing),
            )
        return result

    def _read_isolating(self, external_ids):
        """Read ``external_ids``; when the marketplace refuses the whole batch
        because of one of them, split it to read all the others."""
        try:
            return self.backend_adapter.read(external_ids)
        except RecordsNotFound:
            if len(external_ids) == 1:
                return []
            middle = len(external_ids) // 2
            return self._read_isolating(external_ids[:middle]) + self._read_isolating(
                external_ids[middle:]
            )
