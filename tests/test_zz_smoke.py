import pytest, time_machine, json, re
from tests.scenario_web import TODAY, build_history

@pytest.mark.django_db
def test_smoke(client, catalogue):
    from django.contrib.auth.models import User
    from scenarios.presets import load_presets
    with time_machine.travel(TODAY, tick=True):
        build_history(compute=True)
        load_presets(scale=0.001)
        u = User.objects.create_superuser("a", password="x")
        client.force_login(u)
        r = client.get("/scenarios/"); print(r.status_code)
        r = client.get("/scenarios/?preset=2"); print(r.status_code)
        q = "chain=NL&horizon=6&paths=200&seed=4&inflow_kind=annual&inflow_annual=400&policy=over_term_share&share=0%2C7&notice_rate=1&notice_lag_days=0&planning_norm=0%2C96&hires=2026-03+2+3&run=1"
        r = client.get("/scenarios/?" + q); print(r.status_code)
        open("/tmp/scen.html","w").write(r.content.decode())
        m = re.search(r'name="inputs" value="([^"]*)"', r.content.decode())
        import html
        inputs = html.unescape(m.group(1))
        r = client.post("/scenarios/save/", {"inputs": inputs, "name": "Mine"}); print(r.status_code, r.headers.get("Location"))
        r2 = client.get(r.headers["Location"]); print(r2.status_code)
        open("/tmp/scen2.html","w").write(r2.content.decode())
        r = client.get("/scenarios/compare/?id=1"); print(r.status_code)
        r = client.get("/scenarios/?" + q + "&format=csv"); print(r.status_code, r.content[:100])
        r = client.get("/scenarios/?" + q.replace("horizon=6","horizon=60")); print(r.status_code)
        open("/tmp/scen3.html","w").write(r.content.decode())
