-- The bare stack's one endpoint (bench/bare): a small constant JSON object.
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
local common = dofile(here .. "common.lua")

wrk.method = "GET"
wrk.path = "/hello"
wrk.headers["Accept"] = "application/json"

done = common.done
