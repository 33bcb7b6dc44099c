"""Issue #12: the windows are ``timetable``'s now (state only)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('force', '0002_phone_validators'),
        ('timetable', '0001_initial'),
    ]

    operations = [
        # State only: the table keeps its name (``db_table``) and its rows; nothing is copied.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='checkin',
                name='window',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='timetable.timetablewindow', verbose_name='window'),
            ),
            migrations.AlterField(
                model_name='escortduty',
                name='window',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='timetable.timetablewindow', verbose_name='window'),
            ),
            migrations.AlterField(
                model_name='patrolassignment',
                name='window',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='timetable.timetablewindow', verbose_name='window'),
            ),
        ]),
    ]
