"""Importers: the flow of bringing marketplace records into Odoo.

* ``batch.importer`` lists what changed in a time window and imports chunks
  of records, each chunk in one transaction (one queue job);
* ``record.importer`` upserts one record, safe to run twice and safe against
  a concurrent import of the same record.
"""

import hashlib
import json
import logging
import struct
from collections import Counter

import psycopg2

from odoo import fields

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

    ``run_batch`` imports a whole chunk with the same hooks and outcomes as
    ``run`` on each record, in a few queries: the bindings are read in one
    search, unchanged records are skipped before mapping, the locks are taken
    in one query, new records are created in one call and changed ones are
    written together when Odoo flushes.
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

    def _set_record(self, external_id, external_data, external_hash=None):
        self.external_id = external_id
        self.external_data = external_data
        self.external_hash = external_hash or payload_hash(external_data)

    def run(self, external_id, external_data):
        """Import ``external_data``, the record known as ``external_id``.

        :returns: the binding (empty when skipped); ``self.outcome`` says
            "created", "updated", "uptodate" or "skipped"
        """
        self._set_record(external_id, external_data)
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

    # -- a chunk at once ----------------------------------------------------------
    def run_batch(self, records):
        """Import ``records``, a list of (external id, data), as ``run`` would
        one after the other.

        :returns: a list of (binding, outcome), in the order of ``records``
        """
        results = [None] * len(records)
        first, repeated = {}, []
        for index, (external_id, _data) in enumerate(records):
            if external_id in first:
                repeated.append(index)  # after the others, as run() would see it
            else:
                first[external_id] = index
        existing = self.binder.to_internal_batch(list(first))
        to_write = []
        for external_id, index in first.items():
            self._set_record(external_id, records[index][1])
            reason = self._must_skip()
            if reason:
                _logger.info("Import of %s skipped: %s", self._lock_name(), reason)
                results[index] = (self.model.browse(), "skipped")
                continue
            binding = existing.get(external_id, self.model.browse())
            if binding and self._is_uptodate(binding):
                results[index] = (binding, "uptodate")
                continue
            to_write.append((index, binding, self.external_hash))
        if to_write:
            self._write_batch(records, to_write, results)
        for index in repeated:
            binding = self.run(*records[index])
            results[index] = (binding, self.outcome)
        return results

    def _write_batch(self, records, to_write, results):
        """Create the new records in one call, write the changed ones."""
        lock_names = []
        for index, _binding, _hash in to_write:
            self._set_record(records[index][0], records[index][1], _hash)
            lock_names.append(self._lock_name())
        # Taken after the cheap checks: only writers serialize.
        self._advisory_locks_or_retry(lock_names, retry_seconds=2)
        binder, now = self.binder, fields.Datetime.now()
        options = self._batch_mapping_options([records[i][1] for i, _b, _h in to_write])
        creates, updated = [], []
        for index, binding, external_hash in to_write:
            external_id, data = records[index]
            map_record = self.mapper.map_record(data)
            if binding:
                values = map_record.values(binding=binding, **options)
                values["payload_hash"] = external_hash
                self._write_binding(binding, values)
                updated.append((index, binding))
            else:
                values = map_record.values(for_create=True, **options)
                # what binder.bind() writes, given at once
                values.update(
                    {
                        "payload_hash": external_hash,
                        binder._external_field: external_id,
                        binder._sync_date_field: now,
                    }
                )
                creates.append((index, values))
        written = []
        if creates:
            bindings = self._create_batch(
                [values for _index, values in creates],
                [records[index][0] for index, _values in creates],
            )
            for (index, _values), binding in zip(creates, bindings, strict=True):
                results[index] = (binding, "created")
                written.append((index, binding))
        if updated:
            bound = self.model.browse([binding.id for _index, binding in updated])
            bound.with_context(connector_no_export=True).write(
                {binder._sync_date_field: now}
            )
            for index, binding in updated:
                results[index] = (binding, "updated")
                written.append((index, binding))
        hashes = {index: external_hash for index, _binding, external_hash in to_write}
        for index, binding in sorted(written, key=lambda pair: pair[0]):
            self._set_record(records[index][0], records[index][1], hashes[index])
            self._after_import(binding)

    def _batch_mapping_options(self, records):
        """Options for the mappers of a batch (e.g. what the batch's records
        refer to, looked up once): none by default."""
        return {}

    def _write_binding(self, binding, values):
        """``binding.write(values)``, the values of the record it ``_inherits``
        written on that record directly: through the binding, Odoo writes
        them field by field, record by record."""
        binding = binding.with_context(connector_no_export=True)
        fields_ = binding._fields
        own, inherited = {}, {}
        for name, value in values.items():
            field = fields_.get(name)
            if field is not None and field.inherited:
                inherited.setdefault(field.related.split(".")[0], {})[name] = value
            else:
                own[name] = value
        for parent_field, parent_values in inherited.items():
            binding[parent_field].write(parent_values)
        if own:
            binding.write(own)

    def _create_batch(self, values_list, external_ids):
        """``_create`` for several records: one call, one savepoint."""
        try:
            with self.env.cr.savepoint():
                return self.model.with_context(connector_no_export=True).create(
                    values_list
                )
        except psycopg2.errors.UniqueViolation as exc:
            raise RetryableJobError(
                self.env._(
                    "%(record)s was imported by another job at the same time; "
                    "importing it again.",
                    record=", ".join(external_ids),
                ),
                seconds=2,
            ) from exc

    def _advisory_locks_or_retry(self, lock_names, retry_seconds=1):
        """``advisory_lock_or_retry`` for several locks, in one query (the
        same lock keys as connector's ``pg_try_advisory_lock``)."""
        keys = [
            struct.unpack("q", hashlib.sha1(str(name).encode()).digest()[:8])[0]
            for name in lock_names
        ]
        self.env.cr.execute(
            "SELECT count(*) FILTER (WHERE NOT pg_try_advisory_xact_lock(key)) "
            "FROM unnest(%s::bigint[]) AS key",
            [keys],
        )
        if self.env.cr.fetchone()[0]:
            raise RetryableJobError(
                "Could not acquire advisory lock",
                seconds=retry_seconds,
                ignore_retry=True,
            )


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
        outcomes = importer.run_batch(
            [(self._external_id_of(record), record) for record in records]
        )
        bindings = [binding.id for binding, _outcome in outcomes if binding]
        result.bindings = self.model.browse(list(dict.fromkeys(bindings)))
        result.outcomes.update(outcome for _binding, outcome in outcomes)
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
