# shellcheck shell=bash
# Finds a JDK that can build Baton. Source this file, then call baton_find_jdk.
#
#   baton_find_jdk   exports JAVA_HOME (a JDK >= BATON_MIN_JDK, default 25) and puts
#                    $JAVA_HOME/bin first on PATH; returns 1 with advice on stderr if none is found.
#
# Order: JAVA_HOME if it is new enough; otherwise the newest suitable JDK under /usr/lib/jvm and
# ~/.sdkman/candidates/java.

# Prints the version string a java binary reports ("25.0.3", "17.0.15", "1.8.0_402", "26-ea").
baton_java_version() {
  local java=$1 output
  local pattern='version "([^"]+)"'
  [[ -x $java ]] || return 1
  output=$("$java" -version 2>&1) || return 1
  [[ $output =~ $pattern ]] || return 1
  printf '%s\n' "${BASH_REMATCH[1]}"
}

# Prints the feature (major) release of a version string: 25.0.3 -> 25, 26-ea -> 26, 1.8.0_402 -> 8.
baton_java_major() {
  local version=$1 major
  if [[ $version == 1.* ]]; then
    major=${version#1.}
    major=${major%%[!0-9]*}
  else
    major=${version%%[!0-9]*}
  fi
  [[ -n $major ]] || return 1
  printf '%s\n' "$((10#$major))"
}

# Succeeds, printing the version, if $1 is a JDK (bin/java and bin/javac) of release >= $2.
baton_jdk_at_least() {
  local home=$1 minimum=$2 version major
  [[ -x $home/bin/javac ]] || return 1
  version=$(baton_java_version "$home/bin/java") || return 1
  major=$(baton_java_major "$version") || return 1
  ((major >= minimum)) || return 1
  printf '%s\n' "$version"
}

baton_find_jdk() {
  local minimum=${BATON_MIN_JDK:-25}
  local home version best_home="" best_version="" seen=""

  if [[ -n ${JAVA_HOME:-} ]]; then
    if version=$(baton_jdk_at_least "$JAVA_HOME" "$minimum"); then
      best_home=$JAVA_HOME
      best_version=$version
    else
      version=$(baton_java_version "$JAVA_HOME/bin/java" 2>/dev/null) || version="no bin/java"
      [[ -x $JAVA_HOME/bin/javac ]] || version="$version, no bin/javac"
      printf 'jdk: JAVA_HOME=%s is not a JDK %s+ (%s); looking for another\n' \
        "$JAVA_HOME" "$minimum" "$version" >&2
    fi
  fi

  if [[ -z $best_home ]]; then
    local candidates=(/usr/lib/jvm/*)
    if [[ -n ${HOME:-} && -d $HOME/.sdkman/candidates/java ]]; then
      candidates+=("$HOME"/.sdkman/candidates/java/*)
    fi
    for home in "${candidates[@]}"; do
      [[ -d $home && -x $home/bin/java ]] || continue
      if version=$(baton_jdk_at_least "$home" "$minimum"); then
        # Keep the highest version; on a tie keep the first (glob order).
        if [[ -z $best_version ]] ||
          [[ $(printf '%s\n%s\n' "$best_version" "$version" | sort -V | tail -n 1) != "$best_version" ]]; then
          best_home=$home
          best_version=$version
        fi
      else
        version=$(baton_java_version "$home/bin/java" 2>/dev/null) || version="unknown version"
        seen+="  $home ($version)"$'\n'
      fi
    done
  fi

  if [[ -z $best_home ]]; then
    {
      printf 'Baton needs JDK %s or newer (with javac), and none was found.\n' "$minimum"
      if [[ -n $seen ]]; then
        printf 'Found only:\n%s' "$seen"
      fi
      printf 'Install one (Debian/Ubuntu: apt-get install openjdk-%s-jdk if your release has it,\n' "$minimum"
      printf 'or a Temurin %s build from https://adoptium.net) and set JAVA_HOME to it.\n' "$minimum"
    } >&2
    return 1
  fi

  JAVA_HOME=$best_home
  export JAVA_HOME
  PATH="$JAVA_HOME/bin:$PATH"
  export PATH
  printf 'jdk: %s (%s)\n' "$JAVA_HOME" "$best_version"
}
