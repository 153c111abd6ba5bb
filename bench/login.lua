-- POST /login with a JSON body of the bench user's (correct) credentials: one argon2id verify per request.
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
local common = dofile(here .. "common.lua")

wrk.method = "POST"
wrk.path = "/login"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
-- run.sh generates a username and password of [A-Za-z0-9-] only, so no JSON escaping is needed.
wrk.body = string.format('{"username":"%s","password":"%s"}',
  common.env("BENCH_LOGIN_USER"), common.env("BENCH_LOGIN_PASSWORD"))

done = common.done
