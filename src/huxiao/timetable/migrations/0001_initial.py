"""Issue #12: the timetable (windows, holidays) moves here from ``gate``; its tables, rows, permissions and
audit history are kept."""

import django.db.models.deletion
import huxiao.core.audit
from django.db import migrations, models


def _move_content_types(app_from: str, app_to: str, models: tuple[str, ...]):
    """The moved models' content types (and so their permissions and audit history) follow them."""

    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for model in models:
            old = ContentType.objects.filter(app_label=app_from, model=model)
            if old.exists():
                ContentType.objects.filter(app_label=app_to, model=model).delete()
                old.update(app_label=app_to)

    return move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('gate', '0007_release_early'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0003_organisation_code_and_phone_validators'),
    ]

    operations = [
        # State only: the table keeps its name (``db_table``) and its rows; nothing is copied.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='Holiday',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('date', models.DateField(verbose_name='date')),
                    ('name', models.CharField(max_length=60, verbose_name='name')),
                    ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='holidays', to='core.unit', verbose_name='unit')),
                ],
                options={
                    'verbose_name': 'holiday',
                    'verbose_name_plural': 'holidays',
                    'db_table': 'gate_holiday',
                    'ordering': ['unit', 'date'],
                    'constraints': [models.UniqueConstraint(fields=('unit', 'date'), name='holiday_unique_per_unit_date')],
                },
                bases=(huxiao.core.audit.AuditedMixin, models.Model),
            ),
            migrations.CreateModel(
                name='TimetableWindow',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('class', 'Class hours'), ('arrival', 'Arrival'), ('dismissal', 'Dismissal')], max_length=12, verbose_name='kind')),
                    ('weekdays', models.CharField(default='12345', max_length=7, verbose_name='weekdays')),
                    ('start', models.TimeField(verbose_name='start')),
                    ('end', models.TimeField(verbose_name='end')),
                    ('label', models.CharField(blank=True, max_length=40, verbose_name='label')),
                    ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='timetable_windows', to='core.unit', verbose_name='unit')),
                ],
                options={
                    'verbose_name': 'timetable window',
                    'verbose_name_plural': 'timetable windows',
                    'db_table': 'gate_timetablewindow',
                    'ordering': ['unit', 'start'],
                    'indexes': [models.Index(fields=['unit', 'kind'], name='window_unit_kind')],
                    'constraints': [models.CheckConstraint(condition=models.Q(('end__gt', models.F('start'))), name='window_ends_after_start'), models.CheckConstraint(condition=models.Q(('kind__in', ['class', 'arrival', 'dismissal'])), name='window_kind_valid')],
                },
                bases=(huxiao.core.audit.AuditedMixin, models.Model),
            ),
        ]),
        migrations.RunPython(_move_content_types('gate', 'timetable', ('timetablewindow', 'holiday')),
                             _move_content_types('timetable', 'gate', ('timetablewindow', 'holiday'))),
    ]
