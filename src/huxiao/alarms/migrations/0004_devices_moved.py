"""Issue #12: devices move to ``devices`` (state only: the table stays)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('alarms', '0003_incidents'),
        ('devices', '0001_initial'),
    ]

    operations = [
        # State only: the table keeps its name (``db_table``) and its rows; nothing is copied.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='deviceevent',
                name='device',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='devices.device'),
            ),
            migrations.AlterField(
                model_name='alarm',
                name='device',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='devices.device', verbose_name='device'),
            ),
            migrations.DeleteModel(
                name='Device',
            ),
        ]),
    ]
