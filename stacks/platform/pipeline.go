package platform

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/aifactory/platform/components/finops"
	"github.com/aifactory/platform/components/pipeline"
	"github.com/aifactory/platform/components/pipeline/spec"
	"github.com/aifactory/platform/components/scope"
	"github.com/aifactory/platform/internal/stackconfig"
	"github.com/aifactory/platform/optimiser/bundled"
	"github.com/aifactory/platform/optimiser/config"
)

// BundledConfigsDir is where the country configurations live in the
// repository; the stack publishes those of its countries.
const BundledConfigsDir = "optimiser/bundled/configs"

// pipelineCountries checks what stack config cannot: that the optimiser and
// cleanup images are in this account's registry, and that every configured
// country has a bundled configuration that the optimiser accepts and that
// names that country.
// It returns the countries with their configurations, or every problem at
// once, each with its key, the stack file and the fix.
func pipelineCountries(cfg *stackconfig.Config, sc scope.Scope) ([]pipeline.Country, error) {
	return checkPipeline(cfg, sc, bundled.Configs())
}

func checkPipeline(cfg *stackconfig.Config, sc scope.Scope, configs fs.FS) ([]pipeline.Country, error) {
	file := "Pulumi." + cfg.Stack + ".yaml"
	var errs []error
	for _, image := range []struct{ key, ref, repository string }{
		{"aifactory:pipeline.image", cfg.Pipeline.Image, pipeline.RepositoryURL(sc)},
		{"aifactory:finops.cleanup.image", cfg.FinOps.Cleanup.Image, finops.RepositoryURL(sc)},
	} {
		if img, err := spec.ParseImage(image.ref); err == nil && img.ECR != nil && img.ECR.Account != sc.AccountID {
			errs = append(errs, fmt.Errorf("%s in %s is in account %s's registry, but the stack deploys to account %s: "+
				"push or copy the image to %s and set %s to %s@%s",
				image.key, file, img.ECR.Account, sc.AccountID, image.repository, image.key, image.repository, img.Digest))
		}
	}
	var countries []pipeline.Country
	for i, code := range cfg.Pipeline.Countries {
		key := fmt.Sprintf("aifactory:pipeline.countries[%d] %q in %s", i, code, file)
		name := spec.ConfigFile(code)
		b, err := fs.ReadFile(configs, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: there is no %s/%s; add the country's configuration there (optimiser/README.md, "+
				"Configuration reference) or remove %s from the list", key, BundledConfigsDir, name, code))
			continue
		}
		c, err := config.Parse(b, BundledConfigsDir+"/"+name)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", key, err))
		case c.Country != code:
			errs = append(errs, fmt.Errorf("%s: %s/%s configures country %q; its file name and its country field must agree", key, BundledConfigsDir, name, c.Country))
		default:
			countries = append(countries, pipeline.Country{Code: code, Config: b})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return countries, nil
}
