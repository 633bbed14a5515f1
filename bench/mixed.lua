-- wrk script: cycle through the paths given after `--`, each thread starting at a different one, so the load is a
-- mix of pages rather than one address.
local paths = {}
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("offset", threads)
end

function init(args)
  for i, path in ipairs(args) do
    paths[i] = path
  end
  sent = offset
end

function request()
  sent = sent + 1
  return wrk.format(nil, paths[(sent % #paths) + 1])
end
