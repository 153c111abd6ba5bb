-- GET /auth (forward authentication, e.g. nginx auth_request) with Authorization: Bearer <valid token>.
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
local common = dofile(here .. "common.lua")

wrk.method = "GET"
wrk.path = "/auth"
wrk.headers["Authorization"] = "Bearer " .. common.env("BENCH_TOKEN")

done = common.done
