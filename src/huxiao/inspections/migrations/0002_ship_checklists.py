"""The shipped checklists (F-PREV-1) for every sub-district that exists already."""

from typing import Any

from django.db import migrations


def ship(apps: Any, schema_editor: Any) -> None:
    from huxiao.inspections.shipped import SHIPPED

    Organisation = apps.get_model("core", "Organisation")
    Template = apps.get_model("inspections", "Template")
    TemplateItem = apps.get_model("inspections", "TemplateItem")
    for subdistrict in Organisation.objects.filter(type="subdistrict"):
        have = set(Template.objects.filter(subdistrict=subdistrict).values_list("area", flat=True))
        for area, (name, name_en, items) in SHIPPED.items():
            if area in have:
                continue
            template = Template.objects.create(subdistrict=subdistrict, area=area, name=name, name_en=name_en)
            TemplateItem.objects.bulk_create([TemplateItem(template=template, order=i, text=zh, text_en=en)
                                              for i, (zh, en) in enumerate(items, start=1)])


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
