/**
 * The rule model. Both rule syntaxes (native YAML in `native.ts`, the seed's DSL in `seed-dsl.ts`) parse into it,
 * and the planner (`../plan`) only ever sees this.
 */

/** Variables of one dispatch: every top-level string or number of `client_payload`, overrides, and `event_type`. */
export type Variables = Record<string, string>;

/** One test of one variable. */
export interface Condition {
  variable: string;
  /** JavaScript regular expression source. */
  pattern: string;
  /** Native rules: full match (`^(?:pattern)$`). The seed's DSL: unanchored search, as the old action did. */
  anchored: boolean;
}

/** Where a rule came from, so errors can point at it. */
export interface RuleOrigin {
  syntax: 'native' | 'seed';
  /** File or input name, e.g. `rules`, `.github/gitops-rules.yml`, `mappings`. */
  source: string;
  line?: number;
  column?: number;
}

/** What to write into a selected file. */
export type Edit =
  | {
      kind: 'regex';
      /** Each pattern's named groups mark spans replaced by the variable of the same name. */
      patterns: { source: string; flags: string; label: string }[];
    }
  | {
      kind: 'yaml-path';
      /** e.g. `image.tag`, `images[0].tag`, `"a.b".c` */
      path: string;
      /** Variable written at the path; default `docker_image_tag`. */
      variable: string;
      /** Create missing maps/keys along the path instead of failing. */
      create: boolean;
    }
  | {
      kind: 'kustomize-image';
      /** `name` of the entry in the kustomization's `images:` list. */
      image: string;
    };

export interface FileUpdate {
  /** Globs relative to the repository root. */
  files: string[];
  /**
   * `native`: standard globbing, no dotfiles unless named.
   * `seed`: the old action's globbing (anchored on the repo-relative path, `**` crosses `/`, `*` does not,
   * braces, dotfiles included).
   */
  globDialect: 'native' | 'seed';
  edit: Edit;
}

/** Refuse to replace a newer semantic version with an older one. */
export interface OnlyNewer {
  /** Suffix stripped from both values before comparing, e.g. `-stable`. Empty when none. */
  stripSuffix: string;
}

export interface Rule {
  /** Environment name (native `name`; seed rules are named `mapping-1`, `mapping-2`, ...). */
  name: string;
  /** The rule matches when ANY group matches; a group matches when ALL its conditions match. */
  when: Condition[][];
  update: FileUpdate[];
  /** Land this rule's edits through a pull request instead of a direct push (overrides the action input). */
  pullRequest?: boolean;
  onlyNewer?: OnlyNewer;
  /** Argo CD Application (`name` or `namespace/name`) to refresh after this rule's edits are pushed. */
  argocdApp?: string;
  origin: RuleOrigin;
}
