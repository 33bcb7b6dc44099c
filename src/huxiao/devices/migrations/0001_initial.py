"""Issue #12: the device model moves here from ``alarms``; its table, rows, permissions and audit history
are kept."""

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
        ('alarms', '0003_incidents'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0003_organisation_code_and_phone_validators'),
    ]

    operations = [
        # State only: the table keeps its name (``db_table``) and its rows; nothing is copied.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.CreateModel(
                name='Device',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('kind', models.CharField(choices=[('camera', 'Camera'), ('intrusion_alarm', 'Intrusion alarm'), ('alarm_button', 'One-click alarm button'), ('perimeter_alarm', 'Perimeter alarm'), ('access_control', 'Access control')], max_length=20, verbose_name='kind')),
                    ('location', models.CharField(choices=[('gate', 'Gate'), ('perimeter_wall', 'Perimeter wall'), ('dormitory', 'Dormitory'), ('canteen', 'Canteen'), ('other', 'Other')], max_length=20, verbose_name='location')),
                    ('label', models.CharField(blank=True, max_length=100, verbose_name='label')),
                    ('installed_on', models.DateField(verbose_name='installed on')),
                    ('networked_on', models.DateField(blank=True, null=True, verbose_name='networked to the police on')),
                    ('status', models.CharField(choices=[('working', 'Working'), ('faulty', 'Faulty'), ('removed', 'Removed')], default='working', max_length=10, verbose_name='status')),
                    ('last_test_on', models.DateField(blank=True, null=True, verbose_name='last tested on')),
                    ('heartbeat_seconds', models.PositiveIntegerField(default=300, verbose_name='heartbeat interval (s)')),
                    ('last_seen_at', models.DateTimeField(blank=True, null=True, verbose_name='last heard from')),
                    ('offline_since', models.DateTimeField(blank=True, null=True, verbose_name='offline since')),
                    ('token_digest', models.CharField(blank=True, editable=False, max_length=64, null=True, unique=True)),
                    ('token_prefix', models.CharField(blank=True, editable=False, max_length=8)),
                    ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='devices', to='core.unit', verbose_name='unit')),
                ],
                options={
                    'verbose_name': 'device',
                    'verbose_name_plural': 'devices',
                    'db_table': 'alarms_device',
                    'ordering': ['unit_id', 'location', 'kind', 'id'],
                    'indexes': [models.Index(fields=['unit', 'kind'], name='device_unit_kind')],
                    'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['camera', 'intrusion_alarm', 'alarm_button', 'perimeter_alarm', 'access_control'])), name='device_kind_valid'), models.CheckConstraint(condition=models.Q(('location__in', ['gate', 'perimeter_wall', 'dormitory', 'canteen', 'other'])), name='device_location_valid'), models.CheckConstraint(condition=models.Q(('status__in', ['working', 'faulty', 'removed'])), name='device_status_valid'), models.CheckConstraint(condition=models.Q(('heartbeat_seconds__gte', 10)), name='device_heartbeat_min')],
                },
                bases=(huxiao.core.audit.AuditedMixin, models.Model),
            ),
        ]),
        migrations.RunPython(_move_content_types('alarms', 'devices', ('device',)),
                             _move_content_types('devices', 'alarms', ('device',))),
    ]
