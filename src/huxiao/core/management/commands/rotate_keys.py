"""``huxiao rotate-keys``: re-encrypt every encrypted column under the newest key, while the service runs.

Rotation (issue #14): put the new key first in ``HUXIAO_FIELD_KEYS`` and keep the old one after it
(``new:…,old:…``) on every process, restart them, run ``huxiao rotate-keys``, check with
``huxiao rotate-keys --check``, then drop the old key.

The service keeps writing meanwhile, so nothing here may overwrite a newer value: the ciphertext is read as
stored (never through the field, which would decrypt it), in short per-batch transactions, and written back
with ``UPDATE … WHERE pk = … AND column = <the ciphertext read>``. A row the application changed in between
matches nothing, is counted as skipped and is looked at again by the next pass. ``QuerySet.update`` sends
no signal, so auditlog records nothing per row, and only counts (never a value) reach the output and logs.
The lookup-hash columns stay as they are: they are keyed by ``HUXIAO_HASH_KEY``, not by these keys.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models.functions import Cast, Left
from django.db.models.lookups import Exact

from huxiao.core import crypto
from huxiao.core.fields import EncryptedCharField

logger = logging.getLogger("huxiao.rotate_keys")

BATCH_SIZE = 500

Column = tuple[type[models.Model], EncryptedCharField]


@dataclass
class Tally:
    reencrypted: int = 0
    skipped: int = 0  # changed by the application between our read and our write
    failed: dict[Any, str] = dataclass_field(default_factory=dict)  # pk -> why it does not decrypt


def encrypted_columns() -> list[Column]:
    """Every ``EncryptedCharField`` of every installed model, once (a proxy shares its model's table)."""
    return [
        (model, f)
        for model in apps.get_models()
        if not model._meta.proxy
        for f in model._meta.local_concrete_fields
        if isinstance(f, EncryptedCharField)
    ]


def label(column: Column) -> str:
    model, f = column
    return f"{model._meta.label_lower}.{f.name}"


def _raw(f: EncryptedCharField) -> Cast:
    # Typed as plain text, so neither ``from_db_value`` (decrypt) nor ``get_prep_value`` (encrypt) applies.
    return Cast(f.attname, output_field=models.TextField())


def stale(column: Column, using: str) -> models.QuerySet[Any]:
    """Rows whose value is not under the newest key. Compared with ``=`` on a prefix, not ``LIKE``, which
    SQLite matches without regard to case (key ids ``K1`` and ``k1`` are different keys)."""
    model, f = column
    prefix = f"{crypto.PREFIX}:{crypto.keys()[0][0]}:"
    rows: models.QuerySet[Any] = (
        model._base_manager.using(using)
        .annotate(rotate_raw=_raw(f))
        .annotate(rotate_head=Left("rotate_raw", len(prefix)))
        .filter(rotate_raw__isnull=False)
        .exclude(rotate_raw="")
        .exclude(rotate_head=prefix)
    )
    return rows


def rotate_rows(column: Column, rows: list[tuple[Any, str]], using: str) -> Tally:
    """Re-encrypt ``(pk, ciphertext as read)`` pairs in one transaction; a row whose column no longer
    holds that ciphertext is left alone (the application wrote it since)."""
    model, f = column
    context = f.crypto_context()
    tally = Tally()
    with transaction.atomic(using=using):
        for pk, old in rows:
            try:
                new = crypto.encrypt(crypto.decrypt(old, context=context), context=context)
            except crypto.DecryptionError as exc:
                tally.failed[pk] = str(exc)
                continue
            except ValueError:  # bad base64 or text: the message could quote the value, so none is kept
                tally.failed[pk] = "malformed value"
                continue
            written = (
                model._base_manager.using(using)
                .filter(Exact(_raw(f), old), pk=pk)
                .update(**{f.attname: models.Value(new, output_field=models.TextField())})
            )
            if written:
                tally.reencrypted += 1
            else:
                tally.skipped += 1
    return tally


def rotate_pass(column: Column, using: str, batch_size: int) -> Tally:
    """One walk over the column's stale rows by primary key: read a batch, then write it in one short
    transaction (``rotate_rows``)."""
    tally = Tally()
    last: Any = None
    while True:
        rows = stale(column, using).order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        batch = list(rows.values_list("pk", "rotate_raw")[:batch_size])
        if not batch:
            return tally
        done = rotate_rows(column, batch, using)
        tally.reencrypted += done.reencrypted
        tally.skipped += done.skipped
        tally.failed.update(done.failed)
        last = batch[-1][0]


def rotate_column(column: Column, using: str, batch_size: int) -> tuple[Tally, int]:
    """Passes until nothing was skipped, or a retry pass re-encrypted nothing (a row rewritten under an
    old key faster than we get to it, or only undecryptable values left); returns the tally and passes."""
    total = Tally()
    passes = 0
    while True:
        passes += 1
        tally = rotate_pass(column, using, batch_size)
        total.reencrypted += tally.reencrypted
        total.skipped += tally.skipped
        total.failed.update(tally.failed)
        if not tally.skipped or (passes > 1 and not tally.reencrypted):
            return total, passes


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column (ID numbers, phones, credentials) under the first key of "
        "HUXIAO_FIELD_KEYS, while the service runs. First deploy the keys as 'new:…,old:…' on every "
        "process, then run this, then 'rotate-keys --check', and only then remove the old key. Values are "
        "read and rewritten as ciphertext in small batches with a conditional UPDATE, so a value the "
        "application writes meanwhile is never overwritten; nothing is written to the audit log and only "
        "counts are printed. Exits non-zero if a value does not decrypt under any configured key (each one "
        "is named by model, field and primary key) or if values under an old key remain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true",
                            help="change nothing; list the columns still holding values under an old key and "
                                 "exit non-zero if there are any")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE,
                            help=f"rows per transaction (default {BATCH_SIZE})")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias (default 'default')")

    def handle(self, *args: Any, **options: Any) -> None:
        using: str = options["database"]
        columns = encrypted_columns()
        if not options["check"]:
            self.rotate(columns, using, max(1, options["batch_size"]))
        self.check_columns(columns, using)

    def rotate(self, columns: list[Column], using: str, batch_size: int) -> None:
        key_id = crypto.keys()[0][0]
        reencrypted = skipped = 0
        failures: list[str] = []
        for column in columns:
            tally, passes = rotate_column(column, using, batch_size)
            reencrypted += tally.reencrypted
            skipped += tally.skipped
            line = f"{label(column)}: {tally.reencrypted} re-encrypted, {tally.skipped} skipped"
            if passes > 1:
                line += f" ({passes} passes)"
            if tally.failed:
                line += f", {len(tally.failed)} undecryptable"
            self.stdout.write(line)
            logger.debug("rotate-keys %s: %d re-encrypted, %d skipped, %d undecryptable", label(column),
                        tally.reencrypted, tally.skipped, len(tally.failed))
            for pk, reason in tally.failed.items():
                failures.append(f"{label(column)} pk={pk}: {reason}")
                logger.error("rotate-keys %s pk=%s does not decrypt: %s", label(column), pk, reason)
        self.stdout.write(f"Key {key_id!r}: {reencrypted} values re-encrypted in {len(columns)} columns, "
                          f"{skipped} skipped (changed meanwhile).")
        logger.info("rotate-keys to key %r: %d re-encrypted in %d columns, %d skipped, %d undecryptable", key_id,
                    reencrypted, len(columns), skipped, len(failures))
        if failures:
            for failure in failures:
                self.stderr.write(f"undecryptable: {failure}")
            raise CommandError(f"{len(failures)} values do not decrypt under any configured key (listed above); "
                               "the other values were re-encrypted.")

    def check_columns(self, columns: list[Column], using: str) -> None:
        key_id = crypto.keys()[0][0]
        remaining = [(label(column), stale(column, using).count()) for column in columns]
        remaining = [(name, count) for name, count in remaining if count]
        if remaining:
            listing = ", ".join(f"{name} ({count})" for name, count in remaining)
            raise CommandError(f"Values not under key {key_id!r} remain in: {listing}.")
        self.stdout.write(self.style.SUCCESS(f"Every encrypted value is under key {key_id!r}."))
