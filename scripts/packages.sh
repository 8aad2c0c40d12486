# Sourced by the scripts that install what they need from Debian: install_missing PACKAGE...
# installs those of the packages not installed yet (with sudo unless root), quietly; `who` names
# the script in its one line of output.
install_missing() {
  local who=$1 package missing=() sudo=""
  shift
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  echo "$who: installing ${missing[*]}"
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
