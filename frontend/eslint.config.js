// @ts-check
import { fileURLToPath } from "node:url";

import js from "@eslint/js";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

const FEATURES = [
  "annotate",
  "auth",
  "dashboard",
  "datasets",
  "drift",
  "exports",
  "imports",
  "items",
  "members",
  "models",
  "moderation",
  "platforms",
  "projects",
  "users",
];

// bulletproof-react's unidirectional architecture: shared code -> features -> app.
// A feature never imports another feature (the app's routes compose them), features never
// import the app, and shared modules import neither.
const architectureZones = [
  ...FEATURES.map((feature) => ({
    target: `./src/features/${feature}`,
    from: "./src/features",
    except: [`./${feature}`],
    message: "Features do not import each other; compose them in src/app instead.",
  })),
  { target: "./src/features", from: "./src/app", message: "Features do not import the app." },
  {
    target: [
      "./src/components",
      "./src/config",
      "./src/hooks",
      "./src/lib",
      "./src/testing",
      "./src/types",
    ],
    from: ["./src/features", "./src/app"],
    message: "Shared modules do not import features or the app.",
  },
];

export default tseslint.config(
  { ignores: ["dist", "node_modules", "src/types/api.ts"] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    files: ["**/*.{ts,tsx}"],
    languageOptions: {
      ecmaVersion: 2022,
      globals: globals.browser,
    },
    plugins: {
      "import-x": importX,
      "react-hooks": reactHooks,
    },
    settings: {
      "import-x/resolver-next": [
        createNodeResolver({
          // Resolves the "@/..." paths from tsconfig.json.
          tsconfig: { configFile: fileURLToPath(new URL("./tsconfig.json", import.meta.url)) },
          extensions: [".ts", ".tsx", ".js", ".jsx", ".json"],
        }),
      ],
    },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "import-x/no-restricted-paths": ["error", { zones: architectureZones }],
      "import-x/no-cycle": "error",
      "import-x/no-duplicates": "error",
      "import-x/no-unresolved": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        {
          selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
          message:
            "Item and user content is rendered as text. Only server-sanitised guidelines HTML may be injected (with an eslint-disable comment saying so).",
        },
      ],
    },
  },
  {
    files: ["vite.config.ts", "eslint.config.js"],
    languageOptions: { globals: globals.node },
  },
);
