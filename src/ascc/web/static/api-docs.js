// Starts Swagger UI (from the swagger-ui-bundle package, served under /docs/assets) on /docs.
window.addEventListener("DOMContentLoaded", function () {
  window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
