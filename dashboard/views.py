from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    return HttpResponse("overview")


@login_required
def indicator(request: HttpRequest, code: str) -> HttpResponse:
    return HttpResponse(code)
