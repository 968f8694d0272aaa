-- Run by test/nvim/nvim.test.mjs inside `nvim --headless` (Debian's Neovim 0.7.2 and later): attaches
-- Neovim's built-in LSP client to the dbos-lint server for the current buffer, waits for its
-- diagnostics, asks for code actions on the first one, writes everything to $NVIM_RESULT as JSON
-- and quits. Only APIs that Neovim 0.7 has: vim.lsp.start_client, buf_attach_client, vim.diagnostic.
local server = assert(os.getenv('DBOS_LINT_SERVER'), 'DBOS_LINT_SERVER not set')
local result_file = assert(os.getenv('NVIM_RESULT'), 'NVIM_RESULT not set')
local expected = tonumber(os.getenv('NVIM_EXPECT') or '1')
local bufnr = vim.api.nvim_get_current_buf()
local file = vim.api.nvim_buf_get_name(bufnr)

local function finish(result)
  local f = assert(io.open(result_file, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qall!')
end

local client_id = vim.lsp.start_client({
  name = 'dbos-lint',
  cmd = { 'node', server, '--stdio' },
  root_dir = vim.fn.fnamemodify(file, ':h'),
})
if not client_id then
  finish({ error = 'the server did not start' })
  return
end
vim.lsp.buf_attach_client(bufnr, client_id)

local got = vim.wait(30000, function()
  return #vim.diagnostic.get(bufnr) >= expected
end, 50)
-- Give a late publication a moment, then read the final set.
vim.wait(300)
local diags = {}
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  table.insert(diags, { line = d.lnum + 1, col = d.col, code = d.code, source = d.source, severity = d.severity, message = d.message })
end
table.sort(diags, function(a, b)
  return a.line < b.line or (a.line == b.line and a.code < b.code)
end)

local actions = {}
local first = vim.diagnostic.get(bufnr)[1]
if first then
  local range = { start = { line = first.lnum, character = first.col }, ['end'] = { line = first.end_lnum, character = first.end_col } }
  local lsp_diag = { range = range, message = first.message, code = first.code, source = first.source, severity = first.severity }
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, range = range, context = { diagnostics = { lsp_diag } } }
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, 10000) or {}
  for _, resp in pairs(responses) do
    for _, a in ipairs(resp.result or {}) do
      table.insert(actions, a.title)
    end
  end
end

finish({
  waited = got,
  nvim = vim.version(),
  diagnostics = diags,
  actions = actions,
})
