from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination


class DefaultPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def paginated(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    """The schema of a paginated list of ``serializer_class`` (for ``extend_schema``)."""
    name = serializer_class.__name__.removesuffix("Serializer").removesuffix("Output")
    return inline_serializer(
        name=f"Paginated{name}List",
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="Page number, from 1."),
    OpenApiParameter("page_size", int, description="Items per page (at most 500)."),
]


def paginated_response(request, view, rows, serializer_class, *, page_rows=None, context=None):
    """One page of ``rows`` (a queryset or list) as the paginated response of ``view``.

    ``page_rows`` turns the page's rows into what the serializer reads (ids into entries,
    rows annotated with the caller's role); ``context`` is handed to the serializer."""
    paginator = DefaultPagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    if page_rows is not None:
        page = page_rows(page)
    kwargs = {"many": True}
    if context is not None:
        kwargs["context"] = context
    return paginator.get_paginated_response(serializer_class(page, **kwargs).data)
