# Official Odoo 18.0 image plus the OCA wheels this project depends on.
FROM odoo:18.0
USER root
COPY requirements.txt /tmp/marketplace-requirements.txt
# --no-deps: the wheels require an "odoo" distribution the image does not
# register; their own dependencies are pinned in requirements.txt.
RUN pip3 install --no-cache-dir --break-system-packages --no-deps \
        -r /tmp/marketplace-requirements.txt
USER odoo
