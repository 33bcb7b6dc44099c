"""F-BUS-1 API: ``/api/v1/buses/`` (+ ``/{id}/checks/``: a pre-trip check), ``/api/v1/bus-drivers/``
(+ ``/{id}/trainings/``), ``/api/v1/bus-routes/`` (with their ordered stops) and ``/api/v1/bus-trips/``
(+ ``/{id}/boarding/`` ``{count}``, retried safely with an ``Idempotency-Key``; ``/{id}/arrive/``,
``/{id}/cancel/``). Scheduling a trip with a grounded bus or driver is 409 ``bus_grounded`` /
``driver_grounded`` with the ``reasons``; a count above the seats is kept and answered ``overloaded: true``."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from huxiao.buses import selectors, services
from huxiao.buses.models import MAX_BOARDING, Bus, BusCheck, Driver, DriverTraining, Route, Stop, Trip
from huxiao.compliance.registry import render_all
from huxiao.core.api import (
    ScopedModelViewSet,
    StrictModelSerializer,
    StrictSerializer,
    VisiblePrimaryKeyField,
    actor,
)
from huxiao.core.idempotency import idempotent
from huxiao.core.models import Role, Unit, User


def _latest_check() -> Any:
    return BusCheck.objects.filter(bus=OuterRef("pk")).order_by("-date", "-id")


class BusSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)
    # Checked as spelled after ``normal_plate`` (浙a 12345 is 浙A·12345), by the model.
    plate = serializers.CharField(max_length=12)
    last_check_on = serializers.DateField(read_only=True, allow_null=True)
    last_check_ok = serializers.BooleanField(read_only=True, allow_null=True)
    grounds = serializers.SerializerMethodField(help_text="Why the bus may not run today (empty: it may).")

    class Meta:
        model = Bus
        fields = ["id", "unit", "plate", "kind", "seats", "inspection_expires", "insurance_expires", "active",
                  "last_check_on", "last_check_ok", "grounds"]
        read_only_fields = ["id"]
        create_only_fields = ["unit"]

    def get_grounds(self, obj: Bus) -> list[str]:
        from huxiao.buses.models import bus_grounds

        today = timezone.localdate()
        ok = obj.last_check_ok if hasattr(obj, "last_check_ok") else selectors.last_check_ok(obj, today)
        return render_all(bus_grounds(inspection_expires=obj.inspection_expires,
                                      insurance_expires=obj.insurance_expires, last_check_ok=ok, active=obj.active,
                                      day=today))


class BusCheckSerializer(StrictModelSerializer):
    class Meta:
        model = BusCheck
        fields = ["date", "ok", "note"]
        extra_kwargs = {"date": {"required": False}}


class BusViewSet(ScopedModelViewSet):
    queryset = Bus.objects.select_related("unit").annotate(
        last_check_on=Subquery(_latest_check().values("date")[:1]),
        last_check_ok=Subquery(_latest_check().values("ok")[:1])).order_by("unit_id", "plate")
    serializer_class = BusSerializer
    filterset_fields = ["unit", "kind", "active"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.bus_add(actor=actor(self.request), **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.bus_update(actor=actor(self.request), bus=serializer.instance,
                                                  **serializer.validated_data)

    @extend_schema(request=BusCheckSerializer, responses=BusSerializer)
    @action(detail=True, methods=["post"])
    def checks(self, request: Request, pk: str) -> Response:
        """A pre-trip condition check: ``{"ok": false, "note": "左后轮胎压不足"}`` grounds the bus until a
        check passes."""
        bus = self.get_object()
        body = BusCheckSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.bus_check_record(actor=actor(request), bus=bus, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=bus.pk)).data, status=201)


class TrainingSerializer(StrictModelSerializer):
    class Meta:
        model = DriverTraining
        fields = ["id", "date", "topic", "hours", "provider"]
        read_only_fields = ["id"]


class DriverSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)
    trainings = TrainingSerializer(many=True, read_only=True)
    grounds = serializers.SerializerMethodField(help_text="Why the driver may not drive today (empty: they may).")

    class Meta:
        model = Driver
        fields = ["id", "unit", "name", "phone", "birth_date", "licence_class", "licence_file_no", "licence_expires",
                  "active", "trainings", "grounds"]
        read_only_fields = ["id"]
        create_only_fields = ["unit"]

    def get_grounds(self, obj: Driver) -> list[str]:
        return render_all(selectors.driver_grounds_on(obj, timezone.localdate()))


class DriverViewSet(ScopedModelViewSet):
    queryset = Driver.objects.select_related("unit").prefetch_related("trainings").order_by("unit_id", "name", "id")
    serializer_class = DriverSerializer
    filterset_fields = ["unit", "active"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.driver_add(actor=actor(self.request), **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.driver_update(actor=actor(self.request), driver=serializer.instance,
                                                     **serializer.validated_data)

    @extend_schema(request=TrainingSerializer, responses=DriverSerializer)
    @action(detail=True, methods=["post"])
    def trainings(self, request: Request, pk: str) -> Response:
        driver = self.get_object()
        body = TrainingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.driver_training_record(actor=actor(request), driver=driver, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=driver.pk)).data, status=201)


class StopSerializer(StrictModelSerializer):
    class Meta:
        model = Stop
        fields = ["id", "order", "name", "lat", "lng"]
        read_only_fields = ["id", "order"]  # the order of the list is the order of the stops


class RouteSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)
    stops = StopSerializer(many=True)

    class Meta:
        model = Route
        fields = ["id", "unit", "name", "active", "stops"]
        read_only_fields = ["id"]
        create_only_fields = ["unit"]


class RouteViewSet(ScopedModelViewSet):
    queryset = Route.objects.select_related("unit").prefetch_related("stops").order_by("unit_id", "name")
    serializer_class = RouteSerializer
    filterset_fields = ["unit", "active"]

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.bus_route_add(actor=actor(self.request), **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.bus_route_update(actor=actor(self.request), route=serializer.instance,
                                                        **serializer.validated_data)


class TripSerializer(StrictModelSerializer):
    unit = VisiblePrimaryKeyField(Unit)
    bus = VisiblePrimaryKeyField(Bus)
    driver = VisiblePrimaryKeyField(Driver)
    route = VisiblePrimaryKeyField(Route)
    attendant = VisiblePrimaryKeyField(User, limit={"role": Role.BUS_ATTENDANT}, allow_null=True, required=False)
    plate = serializers.CharField(source="bus.plate", read_only=True)
    seats = serializers.IntegerField(source="bus.seats", read_only=True)
    driver_name = serializers.CharField(source="driver.name", read_only=True)
    route_name = serializers.CharField(source="route.name", read_only=True)
    attendant_name = serializers.CharField(source="attendant", read_only=True, allow_null=True,
                                           default=None)

    class Meta:
        model = Trip
        fields = ["id", "unit", "bus", "plate", "seats", "driver", "driver_name", "route", "route_name", "attendant",
                  "attendant_name", "date", "direction", "departs_at", "status", "boarded", "boarded_at",
                  "overloaded"]
        read_only_fields = ["id", "status", "boarded", "boarded_at", "overloaded"]
        create_only_fields = ["unit"]


class BoardingSerializer(StrictSerializer):
    count = serializers.IntegerField(min_value=0, max_value=MAX_BOARDING,
                                     help_text="Children on board; above the seats it is kept and raised at once.")


class TripViewSet(ScopedModelViewSet):
    queryset = Trip.objects.select_related("unit", "bus", "driver", "route", "attendant").order_by(
        "unit_id", "-date", "departs_at", "id")
    serializer_class = TripSerializer
    filterset_fields = {"unit": ["exact"], "date": ["exact", "gte", "lte"], "status": ["exact"],
                        "attendant": ["exact"], "overloaded": ["exact"], "bus": ["exact"], "driver": ["exact"]}

    def perform_create(self, serializer: Any) -> None:
        serializer.instance = services.trip_schedule(actor=actor(self.request), **serializer.validated_data)

    def perform_update(self, serializer: Any) -> None:
        serializer.instance = services.trip_update(actor=actor(self.request), trip=serializer.instance,
                                                   **serializer.validated_data)

    @extend_schema(request=BoardingSerializer, responses=TripSerializer)
    @action(detail=True, methods=["post"])
    @idempotent
    def boarding(self, request: Request, pk: str) -> Response:
        """The attendant's boarding count. Above the bus's seats the count is kept, the trip answers
        ``overloaded: true`` and the unit's admins and police are alerted at once."""
        trip = self.get_object()
        body = BoardingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(self.get_serializer(services.trip_boarding_record(
            actor=actor(request), trip=trip, count=body.validated_data["count"])).data)

    @extend_schema(request=None, responses=TripSerializer)
    @action(detail=True, methods=["post"])
    def arrive(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(services.trip_arrive(actor=actor(request), trip=self.get_object())).data)

    @extend_schema(request=None, responses=TripSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        return Response(self.get_serializer(services.trip_cancel(actor=actor(request), trip=self.get_object())).data)
