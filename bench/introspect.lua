-- POST /introspect (RFC 7662) as a gateway does it: HTTP Basic of a client holding `introspect`, form body
-- token=<jwt>. BENCH_TOKEN is either a valid token or an invalid one (a flipped signature character).
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
local common = dofile(here .. "common.lua")

wrk.method = "POST"
wrk.path = "/introspect"
wrk.headers["Authorization"] = "Basic " .. common.env("BENCH_CLIENT_BASIC")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "application/json"
wrk.body = "token=" .. common.env("BENCH_TOKEN")

done = common.done
