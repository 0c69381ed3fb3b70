# Sourced by the scripts that install things: nothing of the caller's environment may reach the
# installs. Under `npm run` (Node 20) npm exports npm_config_* (npm_config_user_agent among them,
# from which code-server's postinstall reads the Node version and refuses: "requires node v24 ...
# you are on node v20") and puts node_modules/.bin folders and node-gyp-bin on PATH.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -iE '^(npm_|node_options$|node_path$|init_cwd$)')
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v -e '/node_modules/' -e 'node-gyp-bin' | paste -sd: -)
export PATH
