"""Topics (the concordance's rows) and the provisions' links to them.

The topic table also gets the search index's visibility triggers (as search migration 0004 gives every record table
of its time): a topic that is deleted or leaves "published", however that happens, leaves the index at once.
"""

from importlib import import_module

import cop_kb.records.links
import django.core.validators
import django.db.models.deletion
import taggit.managers
from django.conf import settings
from django.db import migrations, models


SEARCH_VISIBILITY = import_module("cop_kb.search.migrations.0004_index_follows_visibility")
APP, MODEL, TABLE = "instruments", "topic", "instruments_topic"


def topic_leaves_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE TRIGGER search_hide_{TABLE} AFTER UPDATE OF status OR DELETE ON {TABLE}"
            f" FOR EACH ROW EXECUTE FUNCTION search_drop_hidden_record('{APP}', '{MODEL}')"
        )
        return
    body = SEARCH_VISIBILITY.SQLITE_BODY.format(app=APP, model=MODEL)
    schema_editor.execute(
        f"CREATE TRIGGER search_hide_{TABLE}_update AFTER UPDATE OF status ON {TABLE}"
        f" WHEN NEW.status <> 'published' BEGIN {body} END"
    )
    schema_editor.execute(f"CREATE TRIGGER search_hide_{TABLE}_delete AFTER DELETE ON {TABLE} BEGIN {body} END")


def topic_triggers_dropped(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS search_hide_{TABLE} ON {TABLE}")
    else:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS search_hide_{TABLE}_update")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS search_hide_{TABLE}_delete")


class Migration(migrations.Migration):

    dependencies = [
        ('instruments', '0004_status_index'),
        ('search', '0004_index_follows_visibility'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='provision',
            name='position',
            field=models.PositiveIntegerField(default=0, help_text='Order within the instrument: the article number as a number, so that 9 comes before 10.', verbose_name='position'),
        ),
        migrations.CreateModel(
            name='Topic',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(help_text='Permanent address of the page.', max_length=120, unique=True, verbose_name='slug')),
                ('title', models.CharField(max_length=300, verbose_name='title')),
                ('summary', models.TextField(blank=True, verbose_name='summary')),
                ('body', models.TextField(blank=True, help_text='Markdown. Links may use http, https or mailto.', verbose_name='body')),
                ('body_html', models.TextField(blank=True, editable=False)),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('in_review', 'In review'), ('published', 'Published'), ('withdrawn', 'Withdrawn')], default='draft', max_length=20, verbose_name='status')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, db_index=True, verbose_name='updated')),
                ('last_verified_on', models.DateField(blank=True, null=True, verbose_name='last verified on')),
                ('review_interval_days', models.PositiveSmallIntegerField(default=365, help_text='How often an editor should check this record against its sources.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='review interval (days)')),
                ('position', models.PositiveIntegerField(help_text='Order in the concordance.', verbose_name='position')),
                ('last_verified_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='last verified by')),
                ('tags', taggit.managers.TaggableManager(blank=True, help_text='A comma-separated list of tags.', through='taggit.TaggedItem', to='taggit.Tag', verbose_name='tags')),
            ],
            options={
                'verbose_name': 'topic',
                'verbose_name_plural': 'topics',
                'ordering': ['position', 'title'],
                'abstract': False,
            },
        ),
        migrations.AddField(
            model_name='provision',
            name='topics',
            field=cop_kb.records.links.LinkManyToManyField(blank=True, inverse_label='Provisions on this topic', label='Topics', related_name='provisions', to='instruments.topic', verbose_name='topics'),
        ),
        migrations.AddIndex(
            model_name='topic',
            index=models.Index(fields=['status'], name='topic_status_idx'),
        ),
        migrations.AddConstraint(
            model_name='topic',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'in_review', 'published', 'withdrawn'])), name='instruments_topic_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='topic',
            constraint=models.CheckConstraint(condition=models.Q(('slug', ''), _negated=True), name='instruments_topic_slug_not_empty'),
        ),
        migrations.AddConstraint(
            model_name='topic',
            constraint=models.CheckConstraint(condition=models.Q(('title', ''), _negated=True), name='instruments_topic_title_not_empty'),
        ),
        migrations.AddConstraint(
            model_name='topic',
            constraint=models.CheckConstraint(condition=models.Q(('review_interval_days__gte', 1)), name='instruments_topic_review_interval_positive'),
        ),
        migrations.AddConstraint(
            model_name='topic',
            constraint=models.UniqueConstraint(fields=('position',), name='instruments_topic_unique_position'),
        ),
        migrations.RunPython(topic_leaves_index, topic_triggers_dropped),
    ]
