"""Issue #12: the timetable moves to ``timetable`` (state only: the tables stay)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('force', '0003_windows_in_timetable'),
        ('gate', '0007_release_early'),
        ('timetable', '0001_initial'),
    ]

    operations = [
        # State only: the table keeps its name (``db_table``) and its rows; nothing is copied.
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='dismissalclosed',
                name='window',
                field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='timetable.timetablewindow', verbose_name='window'),
            ),
            migrations.DeleteModel(
                name='Holiday',
            ),
            migrations.DeleteModel(
                name='TimetableWindow',
            ),
        ]),
    ]
