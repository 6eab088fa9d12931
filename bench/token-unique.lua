-- wrk script: token.lua, but every request's body is different.
--
--   wrk ... -s bench/token-unique.lua URL -- APPID SECRET [EXPECT]
--
-- Each body carries one more field after the secret, "n":"<thread>-<count>", so no server can
-- answer it from a memory of bodies it has seen: wxtoken remembers the bodies it answered and
-- skips their JSON parse, and this script measures it without that help. Building a body per
-- request in request() costs the client more than token.lua's static one, so load.sh checks
-- that the server, not the client, is the busy side (srv% and cli%).

local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "token.lua")

function request()
  sent = sent + 1
  return wrk.format(nil, nil, nil, head .. sent .. '"}')
end
