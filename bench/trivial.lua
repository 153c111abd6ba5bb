-- Reference: GET /.well-known/oauth-authorization-server, a tiny constant JSON document of the same application.
local here = debug.getinfo(1, "S").source:match("^@(.*[/\\])") or "./"
local common = dofile(here .. "common.lua")

wrk.method = "GET"
wrk.path = "/.well-known/oauth-authorization-server"
wrk.headers["Accept"] = "application/json"

done = common.done
