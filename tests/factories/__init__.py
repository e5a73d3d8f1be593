import factory
from django.contrib.auth import get_user_model

from labeling.choices import AnnotationSource, DataType, Role, TaskType
from labeling.models import Annotation, Item, LabelClass, Project, ProjectMembership
from labeling.services.imports.item_rows import split_for
from labeling.services.imports.readers.rows import text_hash


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Project {n}")
    data_type = DataType.TEXT
    task_type = TaskType.BINARY

    @factory.post_generation
    def label_classes(obj, create, extracted, **kwargs):
        if not create:
            return
        names = extracted if extracted is not None else ["ham", "spam"]
        for order, name in enumerate(names):
            LabelClass.objects.create(project=obj, name=name, hotkey=str(order + 1), order=order)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectMembership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ANNOTATOR


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    project = factory.SubFactory(ProjectFactory)
    text = factory.Sequence(lambda n: f"Sample message number {n}")
    external_id = factory.LazyAttribute(lambda i: f"sha256:{text_hash(i.text)}")
    content_hash = factory.LazyAttribute(lambda i: text_hash(i.text))
    split = factory.LazyAttribute(lambda i: split_for(i.external_id))


class AnnotationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Annotation

    item = factory.SubFactory(ItemFactory)
    labels = factory.LazyFunction(lambda: ["ham"])
    source = AnnotationSource.HUMAN
